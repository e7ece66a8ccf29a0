//! End-to-end: the real relay process and the real built app in headless Chromium. Each
//! browser has its own profile, so each is a separate device with its own IndexedDB.

use anyhow::Result;
use e2e::{Browser, Driver, PHONE, Relay, TABLET, create_customer, join};

#[tokio::test]
async fn a_customer_created_in_one_browser_appears_in_another() -> Result<()> {
    let data = tempfile::tempdir()?;
    let relay = Relay::start(data.path()).await?;
    let driver = Driver::start().await?;
    let tablet_a = Browser::open(&driver, TABLET).await?;
    let tablet_b = Browser::open(&driver, TABLET).await?;
    join(&tablet_a, &relay).await?;
    join(&tablet_b, &relay).await?;

    create_customer(&tablet_a, "张三", "138 0013 8000", "青霉素过敏").await?;
    // The allergy is on the file, unmissable, on the device that created it...
    tablet_a.wait_for_text("[data-test=health-alert]", "青霉素过敏").await?;

    // ...and the customer reaches the other tablet's list without anyone touching it.
    tablet_b.wait_for_text("[data-test=row-name]", "张三").await?;
    tablet_b.wait_for_text("[data-test=row-phone]", "138 0013 8000").await?;
    tablet_b.click("[data-test=customer-row]").await?;
    tablet_b.wait_for_text("[data-test=health-alert]", "青霉素过敏").await?;
    // Everything was acknowledged: nothing waits in A's outbox.
    tablet_a.navigate("/").await?;
    tablet_a.wait_for("a.sync-online").await?;
    let detail = tablet_a.text("[data-test=sync-detail]").await?;
    assert!(!detail.contains("待上传"), "A still has unacknowledged changes: {detail}");

    tablet_a.close().await?;
    tablet_b.close().await?;
    Ok(())
}

#[tokio::test]
async fn offline_edits_of_one_customer_on_two_browsers_both_survive() -> Result<()> {
    let data = tempfile::tempdir()?;
    let mut relay = Relay::start(data.path()).await?;
    let driver = Driver::start().await?;
    let tablet_a = Browser::open(&driver, TABLET).await?;
    let tablet_b = Browser::open(&driver, TABLET).await?;
    join(&tablet_a, &relay).await?;
    join(&tablet_b, &relay).await?;
    let file = create_customer(&tablet_a, "李美", "13900000001", "").await?;
    tablet_b.wait_for_text("[data-test=row-name]", "李美").await?;

    relay.stop().await?;
    tablet_a.wait_for("a.sync-offline").await?;
    tablet_b.wait_for("a.sync-offline").await?;

    // Offline, A changes the phone...
    tablet_a.navigate(&format!("{file}/edit")).await?;
    tablet_a.fill("#field-phone", "13700000002").await?;
    tablet_a.click("[data-test=save]").await?;
    tablet_a.wait_for_text("[data-test=file-phone]", "137 0000 0002").await?;
    // ...and B, meanwhile, writes notes on the same customer.
    tablet_b.navigate(&format!("{file}/edit")).await?;
    tablet_b.fill("#field-notes", "喜欢玫瑰精油，下次试眼部护理").await?;
    tablet_b.click("[data-test=save]").await?;
    tablet_b.wait_for_text("[data-test=file-notes]", "玫瑰精油").await?;
    // Each edit waits to upload (with the month's class snapshot, when a tablet took it just
    // before the relay went).
    for tablet in [&tablet_a, &tablet_b] {
        tablet.wait_for_text("[data-test=sync-detail]", "项待上传").await?;
    }

    relay.restart().await?;

    // Both devices end with both edits, with no one resolving anything.
    for tablet in [&tablet_a, &tablet_b] {
        tablet.wait_for_text("[data-test=file-notes]", "玫瑰精油").await?;
        tablet.wait_for_text("[data-test=file-phone]", "137 0000 0002").await?;
        tablet.wait_for("a.sync-online").await?;
    }
    // And the relay kept them: a third device that joins now gets the merged file.
    let tablet_c = Browser::open(&driver, TABLET).await?;
    join(&tablet_c, &relay).await?;
    tablet_c.wait_for_text("[data-test=row-phone]", "137 0000 0002").await?;
    tablet_c.click("[data-test=customer-row]").await?;
    tablet_c.wait_for_text("[data-test=file-notes]", "玫瑰精油").await?;

    for tablet in [tablet_a, tablet_b, tablet_c] {
        tablet.close().await?;
    }
    Ok(())
}

#[tokio::test]
async fn a_reload_with_the_relay_stopped_still_shows_every_customer() -> Result<()> {
    let data = tempfile::tempdir()?;
    let mut relay = Relay::start(data.path()).await?;
    let driver = Driver::start().await?;
    let tablet = Browser::open(&driver, TABLET).await?;
    join(&tablet, &relay).await?;
    create_customer(&tablet, "王芳", "13600000003", "").await?;
    create_customer(&tablet, "赵丽", "13500000004", "芦荟过敏").await?;
    tablet.navigate("/").await?;
    tablet.wait_until_installed().await?;

    // No relay: nothing answers on its port, not even the page itself.
    relay.stop().await?;
    tablet.reload().await?;
    tablet.wait_for_text("[data-test=row-name]", "王芳").await?;
    tablet.wait_for_text("[data-test=row-name]", "赵丽").await?;
    tablet.wait_for("a.sync-offline").await?;
    // The file opens too, allergy alert included, and the app still takes new customers.
    tablet.click("[data-test=customer-row]").await?;
    tablet.wait_for("[data-test=customer-file]").await?;
    create_customer(&tablet, "孙悦", "13400000005", "").await?;
    tablet.wait_for_text("[data-test=sync-detail]", "项待上传").await?;

    tablet.close().await?;
    Ok(())
}

/// A new release reaches a device on the next start, and an upgrade never strands a page:
/// the files of the shell the page was started from stay cached until the release after.
#[tokio::test]
async fn a_new_release_is_picked_up_and_the_previous_one_stays_usable() -> Result<()> {
    let data = tempfile::tempdir()?;
    let releases = tempfile::tempdir()?;
    let (second, third) = (e2e::release_copy("r2", releases.path())?, e2e::release_copy("r3", releases.path())?);
    let mut relay = Relay::start(data.path()).await?;
    let driver = Driver::start().await?;
    let tablet = Browser::open(&driver, TABLET).await?;
    join(&tablet, &relay).await?;
    create_customer(&tablet, "钱多多", "13300000006", "").await?;
    tablet.navigate("/").await?;
    tablet.wait_until_installed().await?;
    let first_files = tablet.cached_paths().await?;
    let first_wasm =
        first_files.iter().find(|p| p.ends_with(".wasm")).cloned().expect("the first release's wasm is cached");

    // Release 2 goes live. The next start still opens at once from the cache (release 1) and
    // fetches release 2 in the background...
    relay.restart_serving(&second).await?;
    tablet.reload().await?;
    tablet.wait_for_text("[data-test=row-name]", "钱多多").await?;
    tablet.wait_for_cached_shell("-r2").await?;
    let cached = tablet.cached_paths().await?;
    assert!(cached.contains(&first_wasm), "release 1 is still cached for the page that runs it: {cached:?}");
    assert!(cached.iter().any(|p| p.ends_with("-r2.wasm")), "release 2 is cached: {cached:?}");

    // ...and the start after that runs release 2, even with no network at all.
    relay.stop().await?;
    tablet.reload().await?;
    tablet.wait_for_text("[data-test=row-name]", "钱多多").await?;
    let running =
        tablet.client.execute("return document.querySelector('link[rel=preload][as=fetch]').href", vec![]).await?;
    assert!(running.as_str().is_some_and(|href| href.ends_with("-r2.wasm")), "running {running}");

    // Release 3 retires release 1's files but keeps release 2's, which the page runs.
    relay.restart_serving(&third).await?;
    tablet.reload().await?;
    tablet.wait_for_cached_shell("-r3").await?;
    let cached = tablet.cached_paths().await?;
    assert!(!cached.contains(&first_wasm), "release 1 was dropped: {cached:?}");
    assert!(
        cached.iter().any(|p| p.ends_with("-r2.wasm")) && cached.iter().any(|p| p.ends_with("-r3.wasm")),
        "{cached:?}"
    );
    tablet.close().await?;
    Ok(())
}

#[tokio::test]
async fn the_form_shows_each_problem_next_to_its_field_and_saves_nothing() -> Result<()> {
    let data = tempfile::tempdir()?;
    let relay = Relay::start(data.path()).await?;
    let driver = Driver::start().await?;
    let tablet = Browser::open(&driver, TABLET).await?;
    join(&tablet, &relay).await?;
    tablet.navigate("/customers/new").await?;
    tablet.fill("#field-phone", "138-abc").await?;
    tablet.click("[data-test=save]").await?;
    tablet.wait_for_text("[data-test=field-name-error]", "必填").await?;
    tablet.wait_for_text("[data-test=field-phone-error]", "电话只能包含数字").await?;
    tablet.wait_for("[data-test=form-summary]").await?;
    // Fixing a field clears its message at once.
    tablet.fill("#field-name", "周雨").await?;
    assert_eq!(tablet.text("[data-test=field-name-error]").await?, "");
    // Nothing was saved.
    tablet.navigate("/").await?;
    tablet.wait_for_text("[data-test=list-count]", "共 0 位顾客").await?;

    // English is one tap away and every label follows.
    tablet.navigate("/settings").await?;
    tablet.click("[data-test=lang-en]").await?;
    tablet.navigate("/customers/new").await?;
    tablet.click("[data-test=save]").await?;
    tablet.wait_for_text("[data-test=field-name-error]", "Required").await?;
    tablet.close().await?;
    Ok(())
}

/// Screens a beautician and an owner look at, at tablet and phone size, written to
/// target/screenshots for people to look at. The assertions check the key parts are shown.
#[tokio::test]
async fn screens_at_tablet_and_phone_size() -> Result<()> {
    let data = tempfile::tempdir()?;
    let relay = Relay::start(data.path()).await?;
    let driver = Driver::start().await?;
    let browser = Browser::open(&driver, TABLET).await?;
    join(&browser, &relay).await?;
    let file = create_customer(&browser, "张晓雯", "+86 139 1234 5678", "对果酸、水杨酸过敏；孕期禁用精油").await?;
    create_customer(&browser, "陈静", "13812345678", "").await?;
    create_customer(&browser, "Lily Wang", "021-6552 1234", "").await?;

    for (size, viewport) in [("tablet", TABLET), ("phone", PHONE)] {
        browser.resize(viewport).await?;
        browser.navigate("/").await?;
        browser.click("[data-test=book-all]").await?;
        browser.wait_for_text("[data-test=row-name]", "张晓雯").await?;
        browser.screenshot(&format!("{size}-list")).await?;

        browser.navigate(&file).await?;
        browser.wait_for_text("[data-test=health-alert]", "果酸").await?;
        browser.screenshot(&format!("{size}-detail-allergy")).await?;

        browser.navigate("/customers/new").await?;
        browser.fill("#field-phone", "138OO13").await?;
        browser
            .client
            .execute(
                "const b = document.querySelector('#field-birthday'); b.value = '2031-05-01'; b.dispatchEvent(new Event('input', {bubbles: true}));",
                vec![],
            )
            .await?;
        browser.click("[data-test=save]").await?;
        browser.wait_for_text("[data-test=field-birthday-error]", "生日不能晚于今天").await?;
        browser.client.execute("window.scrollTo(0, 0)", vec![]).await?;
        browser.screenshot(&format!("{size}-form-errors")).await?;

        browser.navigate(&format!("{file}/card")).await?;
        browser.wait_for("[data-test=card-form]").await?;
        browser.screenshot(&format!("{size}-card-form")).await?;
        browser.navigate(&format!("{file}/money")).await?;
        browser.wait_for("[data-test=money-form]").await?;
        browser.screenshot(&format!("{size}-money-form")).await?;
        browser.navigate("/").await?;
        browser.click("[data-test=book-members]").await?;
        browser.wait_for("[data-test=book-members].active").await?;
        browser.screenshot(&format!("{size}-books")).await?;
    }
    browser.close().await?;
    Ok(())
}
