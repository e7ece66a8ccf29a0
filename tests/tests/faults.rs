//! Faults in the middle of things: the relay killed (SIGKILL, as a power cut) while a tablet
//! pushes a salon's whole book and while a new tablet pulls it, that tablet's network cut in
//! the middle of a page, and a tablet's browser
//! killed while it writes an import. Nothing saved is lost, nothing is half-written, and every
//! device ends with the same customers.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use e2e::{Browser, Driver, Relay, TABLET, create_customer, join};

/// Customers imported: enough that pushing and pulling them take many round trips.
const BOOK: usize = 3500;

/// A salon's paper member book as a spreadsheet: `n` customers with distinct phones.
fn member_book(dir: &Path, n: usize, first: usize) -> Result<std::path::PathBuf> {
    let path = dir.join(format!("book-{first}.csv"));
    let mut csv = String::from("姓名,电话\n");
    for i in first..first + n {
        csv.push_str(&format!("会员{i:04},139{i:08}\n"));
    }
    std::fs::write(&path, csv)?;
    Ok(path)
}

/// Customers whose changes the relay has stored, read from its SQLite file as it runs.
fn customers_at_relay(data: &Path) -> Result<usize> {
    let connection = rusqlite::Connection::open(data.join("relay.sqlite3"))?;
    connection.busy_timeout(Duration::from_secs(5))?;
    let n: i64 =
        connection
            .query_row("SELECT COUNT(DISTINCT doc_id) FROM changes WHERE doc_id LIKE 'c-%'", [], |row| row.get(0))?;
    Ok(n as usize)
}

/// How many customers a device's list holds: the number after 共 ("共 N 位顾客", or "找到 k
/// 位（共 N 位）" while a search is typed).
async fn listed(browser: &Browser) -> Result<usize> {
    let text = browser.text("[data-test=list-count]").await.unwrap_or_default();
    let total = text.split('共').nth(1).unwrap_or_default();
    let digits: String = total.chars().skip_while(|c| !c.is_ascii_digit()).take_while(char::is_ascii_digit).collect();
    Ok(digits.parse().unwrap_or(0))
}

async fn wait_listed(browser: &Browser, n: usize, within: Duration) -> Result<()> {
    let deadline = Instant::now() + within;
    loop {
        let now = listed(browser).await?;
        if now == n {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!("the list shows {now} customers, not {n}, after {within:?}");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Waits until the relay holds at least `n` customers, looking every `every`.
async fn relay_holds(data: &Path, n: usize, within: Duration, every: Duration) -> Result<usize> {
    let deadline = Instant::now() + within;
    loop {
        let held = customers_at_relay(data)?;
        if held >= n {
            return Ok(held);
        }
        if Instant::now() > deadline {
            bail!("the relay holds {held} customers, not {n}, after {within:?}");
        }
        tokio::time::sleep(every).await;
    }
}

/// Waits until a device's list shows its first customers (a page has been read), and says
/// how many.
async fn first_page(browser: &Browser) -> Result<usize> {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let read = listed(browser).await?;
        if read > 0 {
            return Ok(read);
        }
        if Instant::now() > deadline {
            bail!("the tablet read nothing in 120 s");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn import(browser: &Browser, book: &Path, n: usize) -> Result<()> {
    browser.navigate("/import").await?;
    browser.upload("[data-test=import-file]", book).await?;
    browser.wait_for_text("[data-test=import-summary]", &format!("共 {n} 行，全部可以导入")).await?;
    browser.click("[data-test=import-confirm]").await?;
    Ok(())
}

#[tokio::test]
async fn a_relay_killed_mid_push_and_mid_pull_and_a_network_cut_mid_page_lose_nothing_and_every_device_converges()
-> Result<()> {
    let data = tempfile::tempdir()?;
    let files = tempfile::tempdir()?;
    let mut relay = Relay::start(data.path()).await?;
    let driver = Driver::start().await?;
    let tablet = Browser::open(&driver, TABLET).await?;
    join(&tablet, &relay).await?;
    create_customer(&tablet, "先来的", "13800000001", "").await?;
    relay_holds(data.path(), 1, e2e::PATIENCE, Duration::from_millis(100)).await?;

    // The relay is down while the front desk types in the paper member book.
    relay.kill().await?;
    import(&tablet, &member_book(files.path(), BOOK, 1)?, BOOK).await?;
    wait_listed(&tablet, BOOK + 1, e2e::PATIENCE).await?;

    // It comes back, and dies again as soon as some of the book has arrived. (The tablet
    // hears the network come back, so it does not wait out its backoff.)
    relay.restart().await?;
    tablet.set_offline(true).await?;
    tablet.set_offline(false).await?;
    relay_holds(data.path(), 2, e2e::PATIENCE, Duration::from_millis(10)).await?;
    relay.kill().await?;
    let at_kill = customers_at_relay(data.path())?;
    assert!(at_kill < BOOK + 1, "killed mid-push: {at_kill} of {} there", BOOK + 1);
    eprintln!("relay killed mid-push with {at_kill} of {} customers stored", BOOK + 1);
    relay.restart().await?;
    relay_holds(data.path(), BOOK + 1, Duration::from_secs(120), Duration::from_millis(200)).await?;

    // A new tablet pulls the salon; the relay dies while it reads.
    // (An old, slow tablet: the pull takes long enough to be cut in the middle.)
    let fresh = Browser::open(&driver, TABLET).await?;
    fresh.goto(&relay.url()).await?;
    // Installed, so it still opens with the relay gone.
    fresh.wait_until_installed().await?;
    fresh.set_cpu_slowdown(6).await?;
    join(&fresh, &relay).await?;
    fresh.navigate("/customers").await?;
    first_page(&fresh).await?;
    relay.kill().await?;
    let read = listed(&fresh).await?;
    assert!(read < BOOK + 1, "killed mid-pull: the new tablet had {read} of {}", BOOK + 1);
    eprintln!("relay killed mid-pull with {read} of {} customers read", BOOK + 1);
    // Offline, it keeps and shows what it read.
    fresh.reload().await?;
    let kept = listed(&fresh).await?;
    assert!(kept >= read, "what it had read stays after a reload: {kept} < {read}");
    relay.restart().await?;
    fresh.set_cpu_slowdown(1).await?;
    wait_listed(&fresh, BOOK + 1, Duration::from_secs(180)).await?;

    // Another new tablet's Wi-Fi drops in the middle of a page.
    let third = Browser::open(&driver, TABLET).await?;
    third.goto(&relay.url()).await?;
    third.set_cpu_slowdown(6).await?;
    join(&third, &relay).await?;
    third.navigate("/customers").await?;
    first_page(&third).await?;
    third.set_offline(true).await?;
    let cut = listed(&third).await?;
    eprintln!("network cut mid-pull with {cut} of {} customers read", BOOK + 1);
    assert!(cut < BOOK + 1, "cut mid-pull: the tablet had {cut} of {}", BOOK + 1);
    tokio::time::sleep(Duration::from_secs(2)).await;
    third.set_offline(false).await?;
    third.set_cpu_slowdown(1).await?;
    wait_listed(&third, BOOK + 1, Duration::from_secs(180)).await?;
    for name in ["先来的", "会员0001", "会员1750", "会员3500"] {
        fresh.fill("[data-test=search]", name).await?;
        fresh.wait_for_text("[data-test=row-name]", name).await?;
    }
    // And the first tablet holds exactly the same book, nothing doubled.
    wait_listed(&tablet, BOOK + 1, e2e::PATIENCE).await?;
    assert_eq!(customers_at_relay(data.path())?, BOOK + 1);
    tablet.close().await?;
    fresh.close().await?;
    third.close().await?;
    Ok(())
}

#[tokio::test]
async fn a_tablet_killed_while_it_writes_an_import_keeps_everything_saved_before_and_nothing_half_written() -> Result<()>
{
    let data = tempfile::tempdir()?;
    let files = tempfile::tempdir()?;
    let relay = Relay::start(data.path()).await?;
    let driver = Driver::start().await?;
    let tablet = Browser::open(&driver, TABLET).await?;
    join(&tablet, &relay).await?;
    let saved = create_customer(&tablet, "先来的", "13800000001", "花粉过敏").await?;

    // The battery dies while the import is being written.
    let big = 6000;
    tablet.navigate("/import").await?;
    tablet.upload("[data-test=import-file]", &member_book(files.path(), big, 1)?).await?;
    tablet.wait_for_text("[data-test=import-summary]", &format!("共 {big} 行，全部可以导入")).await?;
    // The tap is queued in the page; the battery dies half a second later, while the import
    // is being built and written (it takes seconds for this many rows).
    tablet
        .client
        .execute("setTimeout(() => document.querySelector('[data-test=import-confirm]').click(), 0);", vec![])
        .await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let profile = tablet.crash().await?;

    // Back on: the customer saved before is whole, and the import is all there or not at all.
    let tablet = Browser::reopen(&driver, TABLET, profile).await?;
    tablet.goto(&relay.url()).await?;
    tablet.navigate("/customers").await?;
    tablet.fill("[data-test=search]", "先来的").await?;
    tablet.wait_for_text("[data-test=row-name]", "先来的").await?;
    let after = listed(&tablet).await?;
    assert!(after == 1 || after == big + 1, "an import is never half-written: {after} customers");
    eprintln!("after the crash mid-import the tablet holds {after} customers");
    tablet.navigate(&saved).await?;
    tablet.wait_for_text("[data-test=health-alert]", "花粉过敏").await?;
    // Its store agrees with itself: every document has its list entry and the other way round.
    let db = tablet.indexed_db().await?;
    let documents = db.iter().filter(|(store, key, _)| store == "docs" && key.starts_with("c-")).count();
    let entries = db.iter().filter(|(store, _, _)| store == "customers").count();
    assert_eq!((documents, entries), (after, after), "documents and list entries");

    // Writing again works, and everything it holds reaches a new tablet.
    let total = if after == 1 {
        import(&tablet, &member_book(files.path(), BOOK, 1)?, BOOK).await?;
        BOOK + 1
    } else {
        after
    };
    wait_listed(&tablet, total, e2e::PATIENCE).await?;
    let fresh = Browser::open(&driver, TABLET).await?;
    join(&fresh, &relay).await?;
    fresh.navigate("/customers").await?;
    wait_listed(&fresh, total, Duration::from_secs(180)).await?;
    fresh.fill("[data-test=search]", "先来的").await?;
    fresh.wait_for_text("[data-test=row-name]", "先来的").await?;
    tablet.close().await?;
    fresh.close().await?;
    Ok(())
}
