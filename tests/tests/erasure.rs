//! End-to-end test of erasing a customer at her request (PIPL art. 47): the owner's tablet
//! erases her, and afterwards her name, phone, allergy and photo are on no device (not even
//! one that was offline and edited her file meanwhile) and her sealed history and photo are
//! gone from the relay's files. Real relay process, real built app, headless Chromium.

use std::path::Path;

use anyhow::{Context, Result, bail};
use e2e::{Browser, Driver, PHONE, Relay, TABLET, contains, create_customer, join_as, relay_bytes, take_photo};

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn database(data: &Path) -> Result<rusqlite::Connection> {
    Ok(rusqlite::Connection::open(data.join("relay.sqlite3"))?)
}

/// Her change rows at the relay: how many, and how many still hold bytes.
fn her_rows(data: &Path, doc: &str) -> Result<(i64, i64)> {
    let connection = database(data)?;
    Ok(connection.query_row(
        "SELECT COUNT(*), COUNT(NULLIF(LENGTH(bytes), 0)) FROM changes WHERE doc_id = ?1",
        [doc],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?)
}

/// What of her a device's IndexedDB still holds, named; empty when nothing. Her id (random,
/// nothing about her) may stay in two places: the device's list of erased documents, which
/// keeps late changes of hers from being applied, and the salon's monthly class snapshots
/// (her id and class letters, in documents whose history cannot be rewritten; with her file
/// gone nothing links them to her).
async fn traces(browser: &Browser, id: &str, needles: &[(&str, &str)]) -> Result<Vec<String>> {
    let mut found = Vec::new();
    for (store, key, value) in browser.indexed_db().await? {
        if key.contains(id) {
            found.push(format!("a record under her id in {store}/{key}"));
        }
        let allowed = (store == "meta" && key == "erased") || (store == "docs" && key.starts_with("salon-snapshot-"));
        if value.contains(id) && !allowed {
            found.push(format!("her id in {store}/{key}"));
        }
        for (what, text) in needles {
            if key.contains(text) || value.contains(text) || value.contains(&hex(text.as_bytes())) {
                found.push(format!("{what} in {store}/{key}"));
            }
        }
    }
    Ok(found)
}

async fn blob_count(browser: &Browser) -> Result<usize> {
    Ok(browser.indexed_db().await?.iter().filter(|(store, _, _)| store == "blobs").count())
}

#[tokio::test]
async fn an_erased_customer_is_on_no_device_and_in_no_relay_file_even_after_an_offline_edit() -> Result<()> {
    let data = tempfile::tempdir()?;
    let relay = Relay::start(data.path()).await?;
    let driver = Driver::start().await?;
    let tablet = Browser::open(&driver, TABLET).await?;
    join_as(&tablet, &relay, "owner").await?;
    let phone = Browser::open(&driver, PHONE).await?;
    join_as(&phone, &relay, "beautician").await?;

    let (name, number, allergy) = ("沈佳怡", "13712345678", "芒果过敏");
    let file = create_customer(&tablet, name, number, allergy).await?;
    let id = file.rsplit('/').next().context("her id in the path")?.to_owned();
    let doc = format!("c-{id}");
    take_photo(&tablet, &file, data.path()).await?;
    let other = create_customer(&tablet, "周丽", "13800001111", "").await?;

    // The phone has her file and her photo; a beautician's device is not offered erasure.
    phone.navigate(&format!("{file}/photos")).await?;
    phone.wait_for("[data-test=photo-card] [data-test=photo-img]").await?;
    phone.navigate(&file).await?;
    phone.wait_for_text("[data-test=file-name]", name).await?;
    if phone.client.find(fantoccini::Locator::Css("[data-test=erase]")).await.is_ok() {
        bail!("a beautician's device offers to erase a customer");
    }
    // The relay holds her sealed photo and changes: remember some of their bytes.
    let sealed_photo: Vec<u8> = database(data.path())?.query_row("SELECT bytes FROM blobs", [], |row| row.get(0))?;
    let sealed_change: Vec<u8> = database(data.path())?.query_row(
        "SELECT bytes FROM changes WHERE doc_id = ?1 AND substr(bytes, 3, 1) != x'03' ORDER BY seq LIMIT 1",
        [&doc],
        |row| row.get(0),
    )?;
    let (photo_sample, change_sample) = (&sealed_photo[100..164], &sealed_change[30..62]);
    // Her changes and photo are sealed under her own key too: a copy that outlives the
    // erasure (a backup) needs her key, which both devices hold now and will not after.
    assert_eq!(sealed_change[2], domain::crypto::FORMAT_CUSTOMER, "her change is sealed under her own key");
    assert_eq!(sealed_photo[2], domain::crypto::FORMAT_CUSTOMER, "her photo is sealed under her own key");
    for browser in [&tablet, &phone] {
        let kept = browser.indexed_db().await?;
        assert!(kept.iter().any(|(store, key, _)| store == "doc_keys" && *key == doc), "her key is on the device");
    }

    // The search below finds her while she is there (her list entry names her, her photo is
    // stored), so finding nothing later means she is gone.
    let needles = [("her name", name), ("her phone", number), ("her allergy", allergy), ("her notes", "喜欢安静")];
    let before = traces(&phone, &id, &needles).await?;
    for what in ["a record under her id", "her name", "her phone"] {
        assert!(before.iter().any(|t| t.starts_with(what)), "{what} is found before: {before:?}");
    }
    assert_eq!(blob_count(&phone).await?, 1);

    // The phone goes offline and edits her notes there.
    phone.set_offline(true).await?;
    phone.wait_for("a.sync-offline").await?;
    phone.navigate(&format!("{file}/edit")).await?;
    phone.fill("#field-notes", "喜欢安静的房间").await?;
    phone.click("[data-test=save]").await?;
    phone.wait_for_text("[data-test=file-notes]", "喜欢安静的房间").await?;

    // The owner erases her: the wrong name erases nothing, her name does.
    tablet.navigate(&file).await?;
    tablet.center("[data-test=erase]").await?;
    tablet.click("[data-test=erase]").await?;
    tablet.fill("[data-test=erase-name]", "沈佳").await?;
    tablet.click("[data-test=erase-confirm]").await?;
    tablet.wait_for_text("[data-test=erase-mismatch]", "姓名不一致").await?;
    tablet.fill("[data-test=erase-name]", name).await?;
    tablet.center("[data-test=erase-panel]").await?;
    tablet.screenshot("tablet-erase").await?;
    tablet.resize(PHONE).await?;
    tablet.center("[data-test=erase-panel]").await?;
    tablet.screenshot("phone-erase").await?;
    tablet.resize(TABLET).await?;
    tablet.click("[data-test=erase-confirm]").await?;
    tablet.wait_for_text("[data-test=notice]", "已彻底抹除").await?;
    tablet.wait_for_text("[data-test=row-name]", "周丽").await?;
    if tablet.text("[data-test=customer-list]").await.unwrap_or_default().contains(name) {
        bail!("the erasing tablet still lists her");
    }
    tablet.navigate(&file).await?;
    tablet.wait_for("[data-test=not-found]").await?;

    // The relay dropped her bytes and her photo.
    let deadline = std::time::Instant::now() + e2e::PATIENCE;
    while her_rows(data.path(), &doc)?.1 > 0
        || database(data.path())?.query_row("SELECT COUNT(*) FROM blobs", [], |r| r.get::<_, i64>(0))? > 0
    {
        if std::time::Instant::now() > deadline {
            bail!("the relay still holds her bytes: {:?}", her_rows(data.path(), &doc)?);
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }

    // The phone comes back: it pushes its offline edit (first thing on connecting, before it
    // reads), which the relay keeps as a bare row; then it reads the erasure, and she goes.
    let (rows_before, _) = her_rows(data.path(), &doc)?;
    phone.set_offline(false).await?;
    phone.wait_for("[data-test=not-found]").await?;
    phone.wait_for("a.sync-online").await?;
    let deadline = std::time::Instant::now() + e2e::PATIENCE;
    while her_rows(data.path(), &doc)?.0 == rows_before {
        if std::time::Instant::now() > deadline {
            bail!("the phone's offline edit never reached the relay");
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert_eq!(her_rows(data.path(), &doc)?.1, 0, "no change of hers keeps its bytes, not even the one sent after");
    phone.navigate(&other).await?;
    phone.wait_for_text("[data-test=file-name]", "周丽").await?;

    // Nothing of her on either device, nor in the relay's files.
    for (device, browser) in [("tablet", &tablet), ("phone", &phone)] {
        let found = traces(browser, &id, &needles).await?;
        if !found.is_empty() {
            bail!("the {device} still holds: {found:?}");
        }
        assert_eq!(blob_count(browser).await?, 0, "the {device} holds no photo");
    }
    let stored = relay_bytes(data.path())?;
    assert!(!contains(&stored, photo_sample), "her sealed photo is overwritten in the relay's files");
    assert!(!contains(&stored, change_sample), "her sealed changes are overwritten in the relay's files");
    // The other customer is untouched everywhere.
    tablet.navigate(&other).await?;
    tablet.wait_for_text("[data-test=file-name]", "周丽").await?;

    tablet.close().await?;
    phone.close().await?;
    Ok(())
}
