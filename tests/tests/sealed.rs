//! End-to-end tests of end-to-end encryption: the salon's first device makes the salon key,
//! other devices join only with an invite that carries it, and the relay's database holds no
//! name, phone number, allergy or photo in readable form. Real relay process, real built app,
//! headless Chromium.

use std::path::Path;

use anyhow::{Result, bail};
use e2e::{
    Browser, Driver, PHONE, Relay, TABLET, contains, create_customer, give_consent, relay_bytes, take_photo,
    test_picture,
};

fn rows(data: &Path, table: &str) -> Result<i64> {
    let connection = rusqlite::Connection::open(data.join("relay.sqlite3"))?;
    Ok(connection.query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |row| row.get(0))?)
}

#[tokio::test]
async fn the_first_device_makes_the_key_others_need_its_invite_and_the_relay_reads_nothing() -> Result<()> {
    let data = tempfile::tempdir()?;
    let relay = Relay::start(data.path()).await?;
    let driver = Driver::start().await?;

    // The salon's first device opens the relay's own link (no key in it) and makes the key.
    let tablet = Browser::open(&driver, TABLET).await?;
    tablet.goto(&relay.relay_link()).await?;
    tablet.wait_for("a.sync-online").await?;
    let file = create_customer(&tablet, "林晓雯", "13912345678", "青霉素过敏").await?;
    take_photo(&tablet, &file, data.path()).await?;

    // Another device with the relay's setup link, later: it was the first device's only.
    let phone = Browser::open(&driver, PHONE).await?;
    phone.goto(&relay.relay_link()).await?;
    phone.wait_for_text("[data-test=join-message]", "邀请已失效").await?;
    phone.screenshot("phone-invite-used").await?;
    // The operator's invite pairs it, but brings no key: it is told to get an invite from a
    // device of the salon, and reads nothing.
    phone.goto(&relay.operator_invite("beautician").await?).await?;
    phone.wait_for_text("[data-test=sync-badge]", "需要邀请").await?;
    phone.wait_for_text("[data-test=join-message]", "本机还没有门店密钥").await?;
    phone.navigate("/settings").await?;
    phone.wait_for_text("[data-test=needs-invite]", "邀请设备").await?;
    phone.screenshot("phone-needs-invite").await?;
    phone.navigate("/customers").await?;
    if phone.text("[data-test=list-count]").await.unwrap_or_default().contains("共 1 位") {
        bail!("a device without the salon key shows the salon's customers");
    }

    // The tablet invites it as the front desk's: a single-use link (and its QR code) with the
    // salon key, recorded at the relay for ten minutes.
    tablet.navigate("/settings").await?;
    tablet.fill("[data-test=invite-name]", "前台 iPad").await?;
    tablet.set_value("[data-test=invite-role]", "front_desk").await?;
    tablet.click("[data-test=invite-make]").await?;
    let invite = tablet.wait_for("[data-test=invite-link]").await?;
    let link = invite.prop("value").await?.unwrap_or_default();
    if !link.contains("#join=demo:") || !link.contains(";key=1.") {
        bail!("the invite link carries no salon key: {link}");
    }
    tablet.wait_for("[data-test=invite-qr] svg path").await?;
    tablet.wait_for_text("[data-test=invite-expiry]", "只能使用一次").await?;
    tablet.scroll_to("[data-test=invite]").await?;
    tablet.screenshot("tablet-invite").await?;
    tablet.resize(PHONE).await?;
    tablet.scroll_to("[data-test=invite-qr]").await?;
    tablet.screenshot("phone-invite").await?;
    tablet.resize(TABLET).await?;
    phone.goto(&link).await?;
    phone.wait_for("a.sync-online").await?;
    // Used once: the same link on a third device pairs nothing.
    let stranger = Browser::open(&driver, PHONE).await?;
    stranger.goto(&link).await?;
    stranger.wait_for_text("[data-test=join-message]", "邀请已失效").await?;
    stranger.close().await?;
    phone.navigate("/customers").await?;
    phone.wait_for_text("[data-test=row-name]", "林晓雯").await?;
    phone.navigate(&file).await?;
    phone.wait_for_text("[data-test=file-name]", "林晓雯").await?;
    phone.wait_for_text("[data-test=health-alert]", "青霉素过敏").await?;
    phone.navigate(&format!("{file}/photos")).await?;
    phone.wait_for("[data-test=photo-card] [data-test=photo-img]").await?;
    let size = phone
        .client
        .execute(
            "const i = document.querySelector('[data-test=photo-img]'); return [i.naturalWidth, i.naturalHeight]",
            vec![],
        )
        .await?;
    assert_eq!(size, serde_json::json!([320, 240]), "the photo opened on the invited phone");

    // The relay stored the changes and the photo, and can read none of it.
    assert!(rows(data.path(), "changes")? > 0 && rows(data.path(), "blobs")? == 1, "the relay has the data");
    let stored = relay_bytes(data.path())?;
    for (what, needle) in [
        ("her name", "林晓雯".as_bytes()),
        ("her phone", b"13912345678".as_slice()),
        ("her allergy", "青霉素".as_bytes()),
        ("a JPEG header", b"\xFF\xD8\xFF\xE0\x00\x10JFIF".as_slice()),
    ] {
        if contains(&stored, needle) {
            bail!("the relay's files contain {what} in readable form");
        }
    }
    tablet.close().await?;
    phone.close().await?;
    Ok(())
}

/// The device's join field, filled with `typed` and sent.
async fn type_join_code(browser: &Browser, typed: &str) -> Result<()> {
    browser.navigate("/settings").await?;
    browser.fill("[data-test=join-code]", typed).await?;
    browser.click("[data-test=join]").await
}

#[tokio::test]
async fn a_device_pairs_by_typing_the_code_the_owner_shows_and_a_wrong_code_says_so() -> Result<()> {
    let data = tempfile::tempdir()?;
    let relay = Relay::start(data.path()).await?;
    let driver = Driver::start().await?;
    let tablet = Browser::open(&driver, TABLET).await?;
    e2e::join_as(&tablet, &relay, "owner").await?;
    create_customer(&tablet, "吴晓", "13900000021", "海鲜过敏").await?;

    // The owner invites the front desk's phone; beside the QR code, a code to type.
    tablet.navigate("/settings").await?;
    tablet.fill("[data-test=invite-name]", "前台手机").await?;
    tablet.set_value("[data-test=invite-role]", "front_desk").await?;
    tablet.click("[data-test=invite-make]").await?;
    let shown = tablet.wait_for("[data-test=pair-code]").await?.text().await?;
    let code = domain::pairing::PairingCode::parse(&shown)?;
    tablet.wait_for_text("[data-test=pair-code-expiry]", "只能使用一次").await?;
    tablet.center("[data-test=pair-code-block]").await?;
    tablet.screenshot("tablet-pair-code").await?;
    tablet.resize(PHONE).await?;
    tablet.center("[data-test=pair-code]").await?;
    tablet.screenshot("phone-pair-code").await?;
    tablet.resize(TABLET).await?;

    // A phone that never had a link opens the salon's address and types it wrong: one
    // character short is named as such, a wrong last character is told apart from an unknown
    // code, and that code is used up.
    let phone = Browser::open(&driver, PHONE).await?;
    phone.goto(&relay.url()).await?;
    type_join_code(&phone, &shown[..shown.len() - 1]).await?;
    phone.wait_for_text("[data-test=join-message]", "配对码有 10 位").await?;
    let last = shown.chars().last().unwrap_or('0');
    let typo = format!("{}{}", &shown[..shown.len() - 1], if last == '7' { '8' } else { '7' });
    type_join_code(&phone, &typo).await?;
    phone.wait_for_text("[data-test=join-message]", "配对码不对").await?;
    phone.screenshot("phone-pair-wrong-code").await?;
    tablet.wait_for("[data-test=pair-code-used]").await?;
    type_join_code(&phone, &shown).await?;
    phone.wait_for_text("[data-test=join-message]", "没有找到这个配对码").await?;
    if phone.text("[data-test=list-count]").await.unwrap_or_default().contains("共 1 位") {
        bail!("a wrong code showed the salon's customers");
    }

    // A new code, typed the way a hurried person types it (lower case, spaces): paired, with
    // the role it was invited as, and it reads the salon.
    tablet.center("[data-test=pair-code-new]").await?;
    tablet.click("[data-test=pair-code-new]").await?;
    let renewed = tablet.wait_for("[data-test=pair-code]").await?.text().await?;
    assert_ne!(domain::pairing::PairingCode::parse(&renewed)?, code, "a new code");
    let started = std::time::Instant::now();
    type_join_code(&phone, &renewed.to_lowercase().replace('-', " ")).await?;
    phone.wait_for("a.sync-online").await?;
    let paired = started.elapsed();
    phone.navigate("/customers").await?;
    phone.wait_for_text("[data-test=row-name]", "吴晓").await?;
    println!("pairing by a typed code: {} ms from the tap to a synced connection", paired.as_millis());
    tablet.wait_for("[data-test=pair-code-used]").await?;
    tablet.navigate("/customers").await?;
    tablet.navigate("/settings").await?;
    tablet.wait_for_text("[data-test=devices]", "前台手机").await?;
    // The relay kept nothing of the exchange: no code, no link, no key.
    let stored = relay_bytes(data.path())?;
    for (what, needle) in [("the code", renewed.replace('-', "")), ("the link", "#join=".to_owned())] {
        if contains(&stored, needle.as_bytes()) {
            bail!("the relay's files hold {what}");
        }
    }
    tablet.close().await?;
    phone.close().await?;
    Ok(())
}

fn copy_files(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let path = entry?.path();
        if path.is_file() {
            std::fs::copy(&path, to.join(path.file_name().unwrap_or_default()))?;
        }
    }
    Ok(())
}

#[tokio::test]
async fn a_relay_restored_from_an_older_backup_gets_everything_back_from_the_devices() -> Result<()> {
    let data = tempfile::tempdir()?;
    let backup = tempfile::tempdir()?;
    let pictures = tempfile::tempdir()?;
    let mut relay = Relay::start(data.path()).await?;
    let driver = Driver::start().await?;
    let tablet = Browser::open(&driver, TABLET).await?;
    let phone = Browser::open(&driver, PHONE).await?;
    e2e::join(&tablet, &relay).await?;
    e2e::join(&phone, &relay).await?;
    create_customer(&tablet, "钱一", "13900000001", "").await?;
    phone.navigate("/customers").await?;
    phone.wait_for_text("[data-test=row-name]", "钱一").await?;

    // The operator's nightly backup, then a day's work the backup does not have.
    relay.stop().await?;
    copy_files(data.path(), backup.path())?;
    relay.restart().await?;
    let second = create_customer(&tablet, "钱二", "13900000002", "").await?;
    let picture = pictures.path().join("face.bmp");
    test_picture(&picture, 320, 240)?;
    give_consent(&tablet, "photos").await?;
    tablet.navigate(&format!("{second}/photos")).await?;
    tablet.set_value("[data-test=photo-area]", "forehead").await?;
    tablet.upload("[data-test=photo-file]", &picture).await?;
    tablet.wait_for("[data-test=photo-card] [data-test=photo-img]").await?;
    phone.wait_for_text("[data-test=row-name]", "钱二").await?;
    // The relay has the photo: the phone got it from there.
    phone.navigate(&format!("{second}/photos")).await?;
    phone.wait_for("[data-test=photo-card] [data-test=photo-img]").await?;
    tablet.wait_for_text("[data-test=sync-detail]", "上次同步").await?;

    // The disk dies and last night's backup comes back.
    relay.stop().await?;
    std::fs::remove_dir_all(data.path())?;
    copy_files(backup.path(), data.path())?;
    relay.restart().await?;
    tablet.wait_for("a.sync-online").await?;
    phone.wait_for("a.sync-online").await?;
    // Work goes on, and a new device sees everything: the devices gave the relay back what
    // the backup lacked.
    create_customer(&phone, "钱三", "13900000003", "").await?;
    tablet.navigate("/customers").await?;
    tablet.wait_for_text("[data-test=row-name]", "钱三").await?;
    let fresh = Browser::open(&driver, TABLET).await?;
    e2e::join(&fresh, &relay).await?;
    fresh.navigate("/customers").await?;
    fresh.wait_for_text("[data-test=list-count]", "共 3 位").await?;
    for name in ["钱一", "钱二", "钱三"] {
        fresh.wait_for_text("[data-test=customer-list]", name).await?;
    }
    // The photo taken after the backup too: the tablet uploaded it again.
    fresh.navigate(&format!("{second}/photos")).await?;
    fresh.wait_for("[data-test=photo-card] [data-test=photo-img]").await?;
    tablet.close().await?;
    phone.close().await?;
    fresh.close().await?;
    Ok(())
}

/// The key epoch of the newest change the relay holds (from its sealed header).
fn newest_change_epoch(data: &Path) -> Result<u32> {
    let connection = rusqlite::Connection::open(data.join("relay.sqlite3"))?;
    let bytes: Vec<u8> =
        connection.query_row("SELECT bytes FROM changes ORDER BY seq DESC LIMIT 1", [], |row| row.get(0))?;
    Ok(u32::from_le_bytes(bytes[3..7].try_into()?))
}

#[tokio::test]
async fn a_removed_device_is_cut_off_at_once_and_what_is_written_after_is_sealed_under_a_key_it_never_gets()
-> Result<()> {
    let data = tempfile::tempdir()?;
    let relay = Relay::start(data.path()).await?;
    let driver = Driver::start().await?;
    let tablet = Browser::open(&driver, TABLET).await?;
    let phone = Browser::open(&driver, PHONE).await?;
    let desk = Browser::open(&driver, TABLET).await?;
    e2e::join_as(&tablet, &relay, "owner").await?;
    e2e::join(&phone, &relay).await?;
    e2e::join(&desk, &relay).await?;
    create_customer(&tablet, "周一", "13900000011", "").await?;
    phone.navigate("/customers").await?;
    phone.wait_for_text("[data-test=row-name]", "周一").await?;
    assert_eq!(newest_change_epoch(data.path())?, 1);

    // The owner's tablet lists the devices, itself marked, and removes the phone (lost).
    tablet.navigate("/settings").await?;
    tablet.wait_for("[data-test=device-this]").await?;
    let rows = tablet.client.find_all(fantoccini::Locator::Css("[data-test=device-row]")).await?;
    assert_eq!(rows.len(), 3, "every device is listed");
    tablet.scroll_to("[data-test=devices]").await?;
    tablet.screenshot("tablet-devices").await?;
    // The phone is the second device paired.
    let removes = tablet.client.find_all(fantoccini::Locator::Css("[data-test=device-remove]")).await?;
    removes[0].click().await?;
    tablet.screenshot("tablet-device-remove-confirm").await?;
    tablet.click("[data-test=device-remove-confirm]").await?;
    // The phone's connection is closed at once, and it says why.
    phone.wait_for_text("[data-test=sync-badge]", "已被移出门店").await?;
    phone.screenshot("phone-removed").await?;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while tablet.client.find_all(fantoccini::Locator::Css("[data-test=device-row]")).await?.len() != 2 {
        if std::time::Instant::now() > deadline {
            bail!("the removed device is still listed");
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }

    // The tablet carries on under the salon's new key; the desk, which stays, reads it.
    create_customer(&tablet, "周二", "13900000012", "").await?;
    tablet.wait_for_text("[data-test=sync-detail]", "上次同步").await?;
    assert_eq!(newest_change_epoch(data.path())?, 2, "written after the removal: sealed under the new key");
    desk.navigate("/customers").await?;
    desk.wait_for_text("[data-test=customer-list]", "周二").await?;
    // The phone never gets it, even after it reloads (its token is refused), and the key it
    // has does not open what was written after.
    phone.client.refresh().await?;
    phone.wait_for_text("[data-test=sync-badge]", "已被移出门店").await?;
    phone.navigate("/customers").await?;
    phone.wait_for_text("[data-test=row-name]", "周一").await?;
    if phone.text("[data-test=customer-list]").await?.contains("周二") {
        bail!("a removed device received a customer written after its removal");
    }
    // A device invited now gets every key in its link and reads everything.
    tablet.navigate("/settings").await?;
    tablet.click("[data-test=invite-make]").await?;
    let link = tablet.wait_for("[data-test=invite-link]").await?.prop("value").await?.unwrap_or_default();
    let fresh = Browser::open(&driver, PHONE).await?;
    fresh.goto(&link).await?;
    fresh.wait_for("a.sync-online").await?;
    fresh.navigate("/customers").await?;
    fresh.wait_for_text("[data-test=list-count]", "共 2 位").await?;
    tablet.close().await?;
    phone.close().await?;
    desk.close().await?;
    fresh.close().await?;
    Ok(())
}

/// A device of the salon (paired with the operator's invite, a native client) pushes
/// `changes` in one batch and waits for the relay's acknowledgement.
async fn push_as_device(relay: &Relay, token: &str, changes: Vec<domain::wire::WireChange>) -> Result<()> {
    use domain::wire::{ClientMsg, Credential, ServerMsg};
    use futures::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;
    let link = relay.operator_invite("front_desk").await?;
    let invite = link.rsplit(':').next().unwrap_or_default().to_owned();
    let url = format!("{}/v1/sync", relay.url().replacen("http", "ws", 1));
    let (mut socket, _) = tokio_tungstenite::connect_async(url).await?;
    let credential = Credential::Invite { invite, token: token.into(), public: [9; 32] };
    let salon = domain::ids::SalonId::parse(e2e::SALON)?;
    let hello = ClientMsg::Hello { salon, credential, at: None, pushed: None };
    socket.send(Message::Binary(hello.encode().into())).await?;
    let push = ClientMsg::Push { batch: 1, changes };
    socket.send(Message::Binary(push.encode().into())).await?;
    loop {
        let Some(frame) = socket.next().await else { bail!("the relay closed before acknowledging") };
        if let Message::Binary(frame) = frame? {
            match ServerMsg::decode(&frame)? {
                ServerMsg::Ack { .. } => return Ok(()),
                ServerMsg::Error { code } => bail!("the relay refused the push: {code:?}"),
                _ => {}
            }
        }
    }
}

fn wire(doc: &domain::ids::DocId, bytes: Vec<u8>) -> domain::wire::WireChange {
    let hash = *domain::blob::BlobHash::of(&bytes).as_bytes();
    domain::wire::WireChange { doc: doc.clone(), hash, bytes }
}

/// A device of the salon gone bad: it pushes sealed-looking garbage under a real customer's
/// document id (its hash honest, so the relay stores it).
async fn push_poison(relay: &Relay, doc: &str) -> Result<()> {
    let mut bytes = domain::crypto::MAGIC.to_vec();
    bytes.extend((0..200u32).map(|i| (i * 37 % 251) as u8));
    push_as_device(relay, "hostile-device-token", vec![wire(&domain::ids::DocId::parse(doc)?, bytes)]).await
}

/// Waits until the sync badge's detail says `expected` (read from the page: a phone hides it).
async fn wait_detail(browser: &Browser, expected: &str) -> Result<()> {
    let script = "return document.querySelector('[data-test=sync-detail]')?.textContent ?? ''";
    let deadline = std::time::Instant::now() + e2e::PATIENCE;
    loop {
        let detail = browser.client.execute(script, vec![]).await?;
        if detail.as_str().unwrap_or_default().contains(expected) {
            return Ok(());
        }
        if std::time::Instant::now() > deadline {
            bail!("the sync badge says {detail}, not {expected}");
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn a_poison_change_under_a_real_customer_is_kept_aside_and_every_device_syncs_on() -> Result<()> {
    let data = tempfile::tempdir()?;
    let relay = Relay::start(data.path()).await?;
    let driver = Driver::start().await?;
    let tablet = Browser::open(&driver, TABLET).await?;
    e2e::join(&tablet, &relay).await?;
    let phone = Browser::open(&driver, PHONE).await?;
    e2e::join(&phone, &relay).await?;
    let file = create_customer(&tablet, "吴雅婷", "13500006666", "酒精过敏").await?;
    phone.navigate(&file).await?;
    phone.wait_for_text("[data-test=file-name]", "吴雅婷").await?;

    let id = file.rsplit('/').next().unwrap_or_default();
    push_poison(&relay, &format!("c-{id}")).await?;
    // Both devices read it, cannot open it, keep it aside and say so; her file is intact.
    for device in [&tablet, &phone] {
        wait_detail(device, "1 项暂无法读取").await?;
        device.navigate(&file).await?;
        device.wait_for_text("[data-test=file-name]", "吴雅婷").await?;
        device.wait_for_text("[data-test=health-alert]", "酒精过敏").await?;
    }
    phone.screenshot("phone-poison-kept").await?;
    // And they sync on: a file made on the phone after it reaches the tablet, and a new
    // device still gets everything.
    let later = create_customer(&phone, "何静", "13500007777", "").await?;
    tablet.navigate(&later).await?;
    tablet.wait_for_text("[data-test=file-name]", "何静").await?;
    let third = Browser::open(&driver, TABLET).await?;
    e2e::join(&third, &relay).await?;
    third.navigate(&file).await?;
    third.wait_for_text("[data-test=health-alert]", "酒精过敏").await?;
    wait_detail(&third, "1 项暂无法读取").await?;
    for device in [tablet, phone, third] {
        device.close().await?;
    }
    Ok(())
}

#[tokio::test]
async fn a_change_that_arrives_before_her_key_is_kept_aside_and_opens_once_her_key_comes() -> Result<()> {
    use domain::crypto::{DocKey, Keyring};
    let data = tempfile::tempdir()?;
    let relay = Relay::start(data.path()).await?;
    let driver = Driver::start().await?;
    let tablet = Browser::open(&driver, TABLET).await?;
    e2e::join(&tablet, &relay).await?;
    create_customer(&tablet, "许可", "13500008888", "").await?;

    // Another device of the salon opened her file under her own key; its first push reaches
    // the relay without her key's record (as from a device whose outbox was damaged).
    let customer = &domain::generator::salon(7, 1, jiff::civil::date(2026, 12, 1))[0];
    let (_, local) = customer.build(domain::ids::DeviceId::from_random([3; 16]))?;
    let (ring, salon, doc) =
        (Keyring::new(e2e::test_salon_key()), domain::ids::SalonId::parse(e2e::SALON)?, customer.new.id.doc_id());
    let her = DocKey::new([44; 32]);
    let changes = local.iter().map(|c| wire(&doc, ring.seal_change(&salon, &doc, Some(&her), &c.bytes))).collect();
    push_as_device(&relay, "desk-token", changes).await?;
    // The tablet cannot open them: kept aside and counted, the rest syncs on.
    wait_detail(&tablet, &format!("{} 项暂无法读取", local.len())).await?;
    tablet.navigate("/customers").await?;
    tablet.wait_for_text("[data-test=list-count]", "共 1 位").await?;
    // Her key's record comes: what was kept aside opens, and she is on the list.
    push_as_device(&relay, "desk-token-2", vec![wire(&doc, ring.seal_doc_key(&salon, &doc, &her))]).await?;
    tablet.wait_for_text("[data-test=list-count]", "共 2 位").await?;
    tablet.navigate(&format!("/customers/{}", customer.new.id.as_str())).await?;
    tablet.wait_for_text("[data-test=file-name]", customer.new.profile.name()).await?;
    let script = "return document.querySelector('[data-test=sync-detail]')?.textContent ?? ''";
    let detail = tablet.client.execute(script, vec![]).await?;
    assert!(!detail.as_str().unwrap_or_default().contains("暂无法读取"), "nothing kept aside: {detail}");
    tablet.close().await?;
    Ok(())
}
