//! End-to-end tests of customer classification: badges that follow a policy changed on
//! another tablet, the owner's override with its reason travelling between devices, the
//! policy editor refusing bad figures and an inconsistent AHP matrix, and the classification
//! page with its monthly snapshot. Real relay process, real built app, headless Chromium.

use anyhow::Result;
use e2e::{Browser, Driver, PHONE, Relay, TABLET, create_customer, join};

/// Records a paid treatment on the open file, `days` ago.
async fn record_treatment(browser: &Browser, days: i64, amount: &str) -> Result<()> {
    browser.click("[data-test=record-visit]").await?;
    let day = browser.days_ago(days).await?;
    browser.set_value("#entry-date", &day).await?;
    browser.fill("#entry-items", "面部护理").await?;
    browser.fill("#entry-amount", amount).await?;
    browser.click("[data-test=save-visit]").await?;
    browser.wait_for("[data-test=customer-file]").await?;
    Ok(())
}

/// Fills one figure of the policy form.
async fn policy(browser: &Browser, key: &str, value: &str) -> Result<()> {
    browser.fill(&format!("#policy-{key}"), value).await
}

#[tokio::test]
async fn a_policy_changed_on_one_tablet_reclassifies_the_badges_on_the_other() -> Result<()> {
    let data = tempfile::tempdir()?;
    let relay = Relay::start(data.path()).await?;
    let driver = Driver::start().await?;
    let a = Browser::open(&driver, TABLET).await?;
    let b = Browser::open(&driver, TABLET).await?;
    join(&a, &relay).await?;
    join(&b, &relay).await?;

    // First treatment 20 days ago: new (the default window is 30 days).
    create_customer(&a, "周晓雨", "13800000011", "").await?;
    record_treatment(&a, 20, "380").await?;
    a.wait_for("[data-test=file-class-lifecycle][data-class=new]").await?;
    a.wait_for_text("[data-test=why-lifecycle]", "20 天前").await?;
    b.navigate("/").await?;
    b.wait_for("[data-test=customer-row] [data-test=badge-lifecycle][data-class=new]").await?;

    // Bad figures and a contradictory matrix are refused, each with its reason; nothing is saved.
    a.navigate("/classes/policy").await?;
    policy(&a, "silent-days", "200").await?;
    policy(&a, "lost-days", "100").await?;
    policy(&a, "a-share", "abc").await?;
    a.set_value("[data-test=ahp-0-1]", "9/1").await?;
    a.set_value("[data-test=ahp-0-2]", "1/9").await?;
    a.set_value("[data-test=ahp-1-2]", "9/1").await?;
    a.wait_for_text("[data-test=ahp-error]", "CR").await?;
    a.click("[data-test=policy-save]").await?;
    a.wait_for_text("[data-test=policy-lost-days-error]", "必须大于沉睡的 200 天").await?;
    a.wait_for_text("[data-test=policy-a-share-error]", "百分比").await?;
    a.wait_for("[data-test=policy-errors]").await?;
    a.screenshot("tablet-policy-refused").await?;

    // Nothing was saved: a fresh start shows the defaults. A valid policy: silent after 10
    // days. Her 20 days make her silent, on both tablets.
    a.reload().await?;
    a.wait_for("[data-test=ahp-ok]").await?;
    assert_eq!(
        a.client.find(fantoccini::Locator::Css("#policy-silent-days")).await?.prop("value").await?.as_deref(),
        Some("90")
    );
    policy(&a, "silent-days", "10").await?;
    policy(&a, "lost-days", "365").await?;
    policy(&a, "new-days", "7").await?;
    a.click("[data-test=policy-save]").await?;
    a.wait_for("[data-test=policy-saved]").await?;
    a.navigate("/").await?;
    a.wait_for("[data-test=customer-row] [data-test=badge-lifecycle][data-class=silent]").await?;
    b.wait_for("[data-test=customer-row] [data-test=badge-lifecycle][data-class=silent]").await?;
    // The list filters by any class.
    b.set_value("[data-test=class-filter]", "lifecycle:new").await?;
    b.wait_for_text(".empty-state", "没有找到").await?;
    b.set_value("[data-test=class-filter]", "lifecycle:silent").await?;
    b.wait_for_text("[data-test=row-name]", "周晓雨").await?;
    b.navigate("/classes/policy").await?;
    b.wait_for("#policy-silent-days").await?;
    assert_eq!(
        b.client.find(fantoccini::Locator::Css("#policy-silent-days")).await?.prop("value").await?.as_deref(),
        Some("10")
    );
    Ok(())
}

#[tokio::test]
async fn an_override_with_a_reason_shows_beside_the_computed_class_on_every_device() -> Result<()> {
    let data = tempfile::tempdir()?;
    let relay = Relay::start(data.path()).await?;
    let driver = Driver::start().await?;
    let a = Browser::open(&driver, TABLET).await?;
    let b = Browser::open(&driver, PHONE).await?;
    join(&a, &relay).await?;
    join(&b, &relay).await?;
    let path = create_customer(&a, "孙美玲", "13800000022", "").await?;
    a.wait_for("[data-test=file-class-value][data-class=c]").await?;
    a.wait_for_text("[data-test=why-value]", "考察期").await?;

    // A reason is required.
    a.click("[data-test=override-value]").await?;
    a.set_value("[data-test=override-form-value] [data-test=override-class]", "a").await?;
    a.click("[data-test=override-save]").await?;
    a.wait_for_text("[data-test=override-reason-error]", "必填").await?;
    a.fill("[data-test=override-reason]", "开业老客，介绍了五位朋友").await?;
    a.click("[data-test=override-save]").await?;
    a.wait_for("[data-test=file-class-value][data-class=a]").await?;
    a.wait_for_text("[data-test=override-note-value]", "按规则为 C类").await?;
    a.screenshot("tablet-file-classes").await?;

    // The phone sees the class set by hand, marked, and the reason on the file.
    b.navigate("/").await?;
    b.wait_for_text("[data-test=customer-row] [data-test=badge-value][data-class=a]", "✎").await?;
    b.navigate(&path).await?;
    b.wait_for_text("[data-test=override-note-value]", "介绍了五位朋友").await?;
    b.screenshot("phone-file-classes").await?;

    // Lifted on the phone: the rules' class is back on the tablet.
    b.click("[data-test=override-lift-value]").await?;
    b.wait_for("[data-test=file-class-value][data-class=c]").await?;
    a.wait_for("[data-test=file-class-value][data-class=c]").await?;
    Ok(())
}

#[tokio::test]
async fn the_classification_page_shows_the_salon_by_class_with_this_months_snapshot() -> Result<()> {
    let data = tempfile::tempdir()?;
    let relay = Relay::start(data.path()).await?;
    let driver = Driver::start().await?;
    let a = Browser::open(&driver, TABLET).await?;
    join(&a, &relay).await?;
    for (name, phone, amount) in
        [("吴佳", "13800000031", "2800"), ("郑琳", "13800000032", "600"), ("冯雪", "13800000033", "120")]
    {
        create_customer(&a, name, phone, "").await?;
        record_treatment(&a, 3, amount).await?;
    }
    a.navigate("/classes").await?;
    a.click("[data-test=dimension-lifecycle]").await?;
    a.wait_for_text("[data-test=share-new] [data-test=share-count]", "3").await?;
    a.wait_for_text("[data-test=top-share]", "前 20%").await?;
    a.wait_for("[data-test=pareto-curve]").await?;
    // The first use in a month records the month's snapshot by itself.
    a.wait_for_text("[data-test=snapshot-this-month]", "快照").await?;
    a.wait_for("[data-test=transitions-none]").await?;
    a.screenshot("tablet-classes").await?;
    a.resize(PHONE).await?;
    a.screenshot("phone-classes").await?;
    a.navigate("/classes/policy").await?;
    a.wait_for("[data-test=ahp-ok]").await?;
    a.screenshot("phone-policy").await?;
    a.resize(TABLET).await?;
    a.client.execute("document.querySelector('[data-test=ahp-matrix]').scrollIntoView()", vec![]).await?;
    a.screenshot("tablet-policy-ahp").await?;
    Ok(())
}
