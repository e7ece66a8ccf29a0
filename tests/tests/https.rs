//! End-to-end over HTTPS: the relay serves TLS itself, and a tablet that reaches it at a
//! hostname (not localhost) gets a secure context: the app installs, starts with no network,
//! and syncs with another device. Real relay process, real built app, headless Chromium
//! trusting a certificate made for the test.

use anyhow::{Result, bail};
use e2e::{Browser, Driver, PHONE, Relay, TABLET, TestCertificate, create_customer};

#[tokio::test]
async fn over_https_at_a_hostname_the_app_installs_starts_offline_and_syncs() -> Result<()> {
    let data = tempfile::tempdir()?;
    let certs = tempfile::tempdir()?;
    let certificate = TestCertificate::make(certs.path(), "salon.test")?;
    let mut relay = Relay::start_https(data.path(), &certificate).await?;
    if !relay.url().starts_with("https://salon.test:") {
        bail!("the relay is not reached over HTTPS at its hostname: {}", relay.url());
    }
    let driver = Driver::start().await?;
    let args = certificate.browser_args();
    let tablet = Browser::open_with(&driver, TABLET, &args).await?;
    e2e::join_as(&tablet, &relay, "owner").await?;
    // Not localhost: only TLS makes this page a secure context.
    let secure = tablet.client.execute("return window.isSecureContext && location.protocol", vec![]).await?;
    assert_eq!(secure, serde_json::json!("https:"), "the page is a secure context over HTTPS");
    create_customer(&tablet, "吴敏", "13700000021", "花粉过敏").await?;
    tablet.navigate("/customers").await?;
    tablet.wait_until_installed().await?;

    let phone = Browser::open_with(&driver, PHONE, &args).await?;
    e2e::join(&phone, &relay).await?;
    phone.navigate("/customers").await?;
    phone.wait_for_text("[data-test=row-name]", "吴敏").await?;

    // The relay goes away: the installed app still starts from its cache and shows her.
    relay.stop().await?;
    tablet.reload().await?;
    tablet.wait_for_text("[data-test=row-name]", "吴敏").await?;
    tablet.wait_for("a.sync-offline").await?;
    create_customer(&tablet, "吴静", "13700000022", "").await?;
    // Back, over HTTPS again: the customer made offline reaches the phone.
    relay.restart().await?;
    phone.wait_for_text("[data-test=customer-list]", "吴静").await?;
    tablet.screenshot("tablet-https").await?;
    tablet.close().await?;
    phone.close().await?;
    Ok(())
}
