//! End-to-end tests of the complete customer file: every section, visits using card sessions,
//! photos travelling between tablets, pinyin search, CSV export and re-import into a fresh
//! device, and delete with undo. Real relay process, real built app, headless Chromium.

use anyhow::Result;
use e2e::{
    Browser, Driver, PHONE, Relay, TABLET, create_customer, give_consent, join, test_picture, tick_health_consent,
};

/// Sells a package card on the open customer file and waits until the file shows it.
async fn sell_card(browser: &Browser, item: &str, sessions: &str, price: &str) -> Result<()> {
    browser.click("[data-test=sell-card]").await?;
    browser.fill("#entry-item", item).await?;
    browser.fill("#entry-sessions", sessions).await?;
    browser.fill("#entry-price", price).await?;
    browser.click("[data-test=save-card]").await?;
    browser.wait_for_text("[data-test=card-remaining]", &format!("{sessions} / {sessions}")).await?;
    Ok(())
}

/// Opens every folded section of the customer form.
async fn open_all_sections(browser: &Browser) -> Result<()> {
    browser.wait_for("[data-test=customer-form]").await?;
    browser.client.execute("document.querySelectorAll('details').forEach(d => d.open = true)", vec![]).await?;
    Ok(())
}

#[tokio::test]
async fn a_customer_with_every_section_filled_reads_back_here_and_on_another_tablet() -> Result<()> {
    let data = tempfile::tempdir()?;
    let relay = Relay::start(data.path()).await?;
    let driver = Driver::start().await?;
    let a = Browser::open(&driver, TABLET).await?;
    let b = Browser::open(&driver, TABLET).await?;
    join(&a, &relay).await?;
    join(&b, &relay).await?;
    // The screening is entered and read by a consultant and the owner.
    a.set_role("consultant").await?;
    b.set_role("owner").await?;
    create_customer(&a, "刘介绍", "13900000001", "").await?;
    let referrer_number = a.text(".file-number").await?.chars().take(9).collect::<String>();

    a.navigate("/customers/new").await?;
    open_all_sections(&a).await?;
    let texts = [
        ("#field-name", "王丽娟"),
        ("#field-phone", "139 1234 0000"),
        ("#field-address", "静安区南京西路 1266 号"),
        ("#field-occupation", "会计"),
        ("#field-allergies", "果酸过敏"),
        ("#field-contraindications", "孕期禁用精油"),
        ("#field-medical-history", "轻度哮喘"),
        ("#field-source", "朋友介绍"),
        ("#field-referrer", &referrer_number),
        ("#field-skin-condition", "T 区出油，两颊干燥"),
        ("#field-care-focus", "淡化色斑"),
        ("#field-sub-health", "睡眠浅，易疲劳"),
        ("#field-home-products", "雅诗兰黛小棕瓶"),
        ("#field-personality", "安静、细心"),
        ("#field-hobbies", "瑜伽、插花"),
        ("#field-taboos", "不喜欢被推销"),
        ("#field-life-events", "明年三月结婚"),
        ("#field-last-chat", "聊到婚纱照拍摄计划"),
        ("#field-preferred-beautician", "小美"),
        ("#field-preferred-time", "周六下午"),
        ("#field-beautician", "阿琳"),
        ("#field-store", "静安店"),
        ("#field-tags", "VIP 敏感肌"),
        ("#field-notes", "喜欢玫瑰香型"),
    ];
    for (css, value) in texts {
        a.fill(css, value).await?;
    }
    a.set_value("#field-gender", "female").await?;
    a.set_value("#field-birthday", "1996-05-01").await?;
    a.set_value("#field-marital", "married").await?;
    a.set_value("#field-blood-type", "a").await?;
    a.set_value("#field-skin-type", "combination").await?;
    a.set_value("#field-member-since", "2024-03-01").await?;
    a.set_value("#field-outcome", "a").await?;
    a.set_value("#field-psych-type", "over_demanding").await?;
    tick_health_consent(&a).await?;
    a.click("[data-test=save]").await?;
    a.wait_for_text("[data-test=file-name]", "王丽娟").await?;
    a.screenshot("tablet-file-every-section").await?;

    for device in [&a, &b] {
        if std::ptr::eq(device, &b) {
            device.navigate("/customers").await?;
            device.wait_for_text("[data-test=row-name]", "王丽娟").await?;
            device.fill("[data-test=search]", "王丽娟").await?;
            device.click("[data-test=customer-row]").await?;
        }
        device.wait_for_text("[data-test=health-alert]", "果酸过敏").await?;
        device.wait_for_text("[data-test=health-alert]", "孕期禁用精油").await?;
        device.wait_for_text("[data-test=file-birthday]", "25–34").await?;
        device.wait_for_text("[data-test=fact-marital]", "已婚").await?;
        device.wait_for_text("[data-test=fact-blood_type]", "A 型").await?;
        device.wait_for_text("[data-test=fact-skin_type]", "混合性").await?;
        device.wait_for_text("[data-test=fact-source]", "朋友介绍").await?;
        device.wait_for_text("[data-test=fact-referrer]", "刘介绍").await?;
        device.wait_for_text("[data-test=fact-last_chat]", "婚纱照").await?;
        device.wait_for_text("[data-test=fact-member_since]", "2024-03-01").await?;
        device.wait_for_text("[data-test=fact-store]", "静安店").await?;
        device.wait_for_text("[data-test=fact-tags]", "VIP").await?;
        device.wait_for_text("[data-test=file-notes]", "玫瑰香型").await?;
        device.wait_for_text("[data-test=fact-outcome]", "A 效果明显").await?;
        device.wait_for_text("[data-test=counselling-caution]", "要求过高型").await?;
    }

    // The edit form opens with every filled section unfolded and every value in place.
    b.click("[data-test=edit]").await?;
    b.wait_for("[data-test=customer-form]").await?;
    let shown = b.client.execute("return document.querySelector('#field-hobbies').value", vec![]).await?;
    assert_eq!(shown.as_str(), Some("瑜伽、插花"));

    // A treatment-room tablet, which the customer sees, never names her screening type.
    let file = b.client.current_url().await?.path().trim_end_matches("/edit").to_owned();
    b.set_role("beautician").await?;
    b.wait_for("[data-test=customer-form]").await?;
    assert!(b.client.find(fantoccini::Locator::Css("#field-psych-type")).await.is_err(), "no screening field");
    b.navigate(&file).await?;
    b.wait_for_text("[data-test=file-name]", "王丽娟").await?;
    let caution = b.text("[data-test=counselling-caution]").await?;
    assert!(caution.contains("顾问") && !caution.contains("要求过高型"), "discreet: {caution}");
    assert!(b.client.find(fantoccini::Locator::Css("[data-test=fact-psych_type]")).await.is_err());
    a.close().await?;
    b.close().await?;
    Ok(())
}

#[tokio::test]
async fn a_visit_that_uses_a_card_session_leaves_one_less_on_every_device() -> Result<()> {
    let data = tempfile::tempdir()?;
    let relay = Relay::start(data.path()).await?;
    let driver = Driver::start().await?;
    let a = Browser::open(&driver, TABLET).await?;
    let b = Browser::open(&driver, TABLET).await?;
    join(&a, &relay).await?;
    join(&b, &relay).await?;
    let file = create_customer(&a, "陈静", "13812345678", "对酒精敏感").await?;

    sell_card(&a, "面部补水", "10", "2,000").await?;

    // Starting a treatment shows the allergy first.
    a.click("[data-test=record-visit]").await?;
    a.wait_for_text("[data-test=health-alert]", "对酒精敏感").await?;
    a.click("[data-test=use-card] input").await?;
    a.screenshot("tablet-visit-form").await?;
    a.click("[data-test=save-visit]").await?;
    a.wait_for_text("[data-test=card-remaining]", "9 / 10").await?;
    a.wait_for_text("[data-test=open-sessions]", "9").await?;
    a.wait_for_text("[data-test=visits]", "1").await?;
    a.wait_for_text("[data-test=liability]", "¥1,800.00").await?;

    // A top-up and a visit on account: balance and debt are derived from the entries.
    a.click("[data-test=money]").await?;
    a.fill("#entry-amount", "500").await?;
    a.click("[data-test=save-money]").await?;
    a.wait_for_text("[data-test=prepaid]", "¥500.00").await?;
    a.click("[data-test=record-visit]").await?;
    a.fill("#entry-items", "肩颈按摩").await?;
    a.fill("#entry-amount", "168").await?;
    a.set_value("#entry-payment", "on_account").await?;
    a.click("[data-test=save-visit]").await?;
    a.wait_for_text("[data-test=debt]", "¥168.00").await?;
    a.screenshot("tablet-file-with-entries").await?;

    b.navigate(&file).await?;
    b.wait_for_text("[data-test=card-remaining]", "9 / 10").await?;
    b.wait_for_text("[data-test=prepaid]", "¥500.00").await?;
    b.wait_for_text("[data-test=debt]", "¥168.00").await?;
    b.navigate("/").await?;
    b.click("[data-test=book-debtors]").await?;
    b.wait_for_text("[data-test=row-debt]", "¥168.00").await?;
    b.resize(PHONE).await?;
    b.navigate(&file).await?;
    b.wait_for_text("[data-test=card-remaining]", "9 / 10").await?;
    b.screenshot("phone-file-with-entries").await?;
    b.navigate(&format!("{file}/visit")).await?;
    b.wait_for("[data-test=use-card]").await?;
    b.screenshot("phone-visit-form").await?;

    // A bad amount is refused with a specific message, and nothing is recorded.
    b.fill("#entry-amount", "12.345").await?;
    b.click("[data-test=save-visit]").await?;
    b.wait_for_text("[data-test=entry-amount-error]", "最多两位小数").await?;
    a.close().await?;
    b.close().await?;
    Ok(())
}

#[tokio::test]
async fn a_photo_added_on_one_tablet_shows_on_the_other_after_sync() -> Result<()> {
    let data = tempfile::tempdir()?;
    let relay = Relay::start(data.path()).await?;
    let driver = Driver::start().await?;
    let a = Browser::open(&driver, TABLET).await?;
    let b = Browser::open(&driver, TABLET).await?;
    join(&a, &relay).await?;
    join(&b, &relay).await?;
    let file = create_customer(&a, "赵敏", "13700001111", "").await?;
    let picture = data.path().join("face.bmp");
    test_picture(&picture, 320, 240)?;

    give_consent(&a, "photos").await?;
    a.navigate(&format!("{file}/photos")).await?;
    a.set_value("[data-test=photo-area]", "forehead").await?;
    a.upload("[data-test=photo-file]", &picture).await?;
    a.wait_for("[data-test=photo-card] [data-test=photo-img]").await?;
    a.wait_for_text("[data-test=photo-card]", "额头").await?;
    // The second photo of the same area is the "after" for the comparison.
    a.set_value("[data-test=photo-stage]", "after").await?;
    a.upload("[data-test=photo-file]", &picture).await?;
    a.wait_for_text("[data-test=photo-card]", "护理后").await?;
    a.wait_for("[data-test=compare] [data-test=photo-img]").await?;
    a.screenshot("tablet-photos").await?;

    b.navigate(&format!("{file}/photos")).await?;
    b.wait_for_text("[data-test=photo-card]", "额头").await?;
    // The record arrives with the document; the picture itself follows as a blob.
    b.wait_for("[data-test=photo-card] [data-test=photo-img]").await?;
    let size = b
        .client
        .execute(
            "const i = document.querySelector('[data-test=photo-img]'); return [i.naturalWidth, i.naturalHeight]",
            vec![],
        )
        .await?;
    assert_eq!(size, serde_json::json!([320, 240]), "the same picture, decoded on the other tablet");
    b.resize(PHONE).await?;
    b.screenshot("phone-photos").await?;
    a.close().await?;
    b.close().await?;
    Ok(())
}

#[tokio::test]
async fn consents_gate_health_notes_and_photos_and_a_withdrawal_on_one_tablet_stops_it_on_the_other() -> Result<()> {
    let data = tempfile::tempdir()?;
    let relay = Relay::start(data.path()).await?;
    let driver = Driver::start().await?;
    let a = Browser::open(&driver, TABLET).await?;
    let b = Browser::open(&driver, TABLET).await?;
    join(&a, &relay).await?;
    join(&b, &relay).await?;
    let file = create_customer(&a, "郑洁", "13700002222", "").await?;
    a.wait_for_text("[data-test=consent-health] [data-test=consent-status]", "未记录").await?;

    // An allergy typed without her consent is refused at the field, and nothing is saved.
    a.click("[data-test=edit]").await?;
    a.fill("#field-allergies", "芦荟").await?;
    a.click("[data-test=save]").await?;
    a.wait_for_text("[data-test=field-allergies-error]", "单独同意").await?;
    a.screenshot("tablet-health-consent-needed").await?;
    tick_health_consent(&a).await?;
    a.click("[data-test=save]").await?;
    a.wait_for_text("[data-test=health-alert]", "芦荟").await?;
    a.wait_for_text("[data-test=consent-health] [data-test=consent-status]", "已同意 · 前台小王").await?;

    // No photo without her photo consent: the page says where to record it.
    a.navigate(&format!("{file}/photos")).await?;
    a.wait_for("[data-test=photo-needs-consent]").await?;
    assert!(a.client.find_all(fantoccini::Locator::Css("[data-test=photo-file]")).await?.is_empty());
    a.navigate(&file).await?;
    give_consent(&a, "photos").await?;
    a.navigate(&format!("{file}/photos")).await?;
    let picture = data.path().join("face.bmp");
    test_picture(&picture, 320, 240)?;
    a.upload("[data-test=photo-file]", &picture).await?;
    a.wait_for("[data-test=photo-card] [data-test=photo-img]").await?;

    // The other tablet withdraws her health consent (two steps): her notes go on both.
    b.navigate(&file).await?;
    b.wait_for_text("[data-test=consent-health] [data-test=consent-status]", "已同意").await?;
    b.wait_for_text("[data-test=health-alert]", "芦荟").await?;
    b.fill("[data-test=consent-by]", "店长阿琳").await?;
    b.click("[data-test=consent-health] [data-test=consent-withdraw]").await?;
    b.wait_for_text("[data-test=consent-health] .confirm-bar", "清空").await?;
    b.scroll_to("[data-test=consent-panel]").await?;
    b.screenshot("tablet-consent-withdraw").await?;
    b.click("[data-test=consent-health] [data-test=consent-withdraw-confirm]").await?;
    b.wait_for_text("[data-test=consent-health] [data-test=consent-status]", "已撤回 · 店长阿琳").await?;
    b.wait_gone("[data-test=health-alert]").await?;
    a.navigate(&file).await?;
    a.wait_for_text("[data-test=consent-health] [data-test=consent-status]", "已撤回 · 店长阿琳").await?;
    a.wait_gone("[data-test=health-alert]").await?;
    a.click("[data-test=consent-panel] .consent-log summary").await?;
    a.wait_for_text("[data-test=consent-log]", "前台小王").await?;
    a.wait_for_text("[data-test=consent-log]", "已撤回 · 店长阿琳").await?;
    // And a new allergy can't be written until she agrees again.
    a.navigate(&format!("{file}/edit")).await?;
    a.wait_for("[data-test=consent-health-box]").await?;
    a.fill("#field-allergies", "果酸").await?;
    a.click("[data-test=save]").await?;
    a.wait_for_text("[data-test=field-allergies-error]", "单独同意").await?;
    b.resize(PHONE).await?;
    b.scroll_to("[data-test=consent-panel]").await?;
    b.screenshot("phone-consent-panel").await?;
    a.close().await?;
    b.close().await?;
    Ok(())
}

#[tokio::test]
async fn customers_are_found_by_pinyin_initials_and_full_pinyin() -> Result<()> {
    let data = tempfile::tempdir()?;
    let relay = Relay::start(data.path()).await?;
    let driver = Driver::start().await?;
    let a = Browser::open(&driver, TABLET).await?;
    join(&a, &relay).await?;
    for (name, phone) in [("张三", "13800000001"), ("李四", "13800000002"), ("张晓燕", "13800000003")] {
        create_customer(&a, name, phone, "").await?;
    }
    a.navigate("/").await?;
    let names = async |query: &str| -> Result<Vec<String>> {
        a.fill("[data-test=search]", query).await?;
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        let rows = a.client.find_all(fantoccini::Locator::Css("[data-test=row-name]")).await?;
        let mut names = Vec::new();
        for row in rows {
            names.push(row.text().await?);
        }
        names.sort();
        Ok(names)
    };
    assert_eq!(names("zs").await?, ["张三"]);
    assert_eq!(names("zx").await?, ["张晓燕"]);
    assert_eq!(names("zhang").await?, ["张三", "张晓燕"]);
    assert_eq!(names("lisi").await?, ["李四"]);
    assert_eq!(names("ZXY").await?, ["张晓燕"]);
    a.close().await?;
    Ok(())
}

#[tokio::test]
async fn csv_export_reimports_into_a_fresh_device_and_bad_rows_are_reported() -> Result<()> {
    let data = tempfile::tempdir()?;
    let relay = Relay::start(data.path()).await?;
    let driver = Driver::start().await?;
    let a = Browser::open(&driver, TABLET).await?;
    join(&a, &relay).await?;
    let file = create_customer(&a, "孙丽", "13600000001", "花粉过敏").await?;
    sell_card(&a, "背部SPA", "5", "1500").await?;
    create_customer(&a, "周芳", "13600000002", "").await?;
    a.navigate("/").await?;
    a.wait_for_text("[data-test=list-count]", "共 2 位顾客").await?;
    a.click("[data-test=export-csv]").await?;
    let csv_path = a.wait_for_download(".csv").await?;
    let csv = std::fs::read(&csv_path)?;
    assert!(csv.starts_with("\u{feff}".as_bytes()), "UTF-8 BOM for Excel");
    let text = String::from_utf8(csv)?;
    assert!(text.contains("孙丽") && text.contains("背部SPA|5/5|1500.00"), "{text}");

    // A fresh device (its own profile, not joined to the salon) imports the file.
    let fresh = Browser::open(&driver, TABLET).await?;
    fresh.goto(&relay.url()).await?;
    fresh.navigate("/import").await?;
    fresh.upload("[data-test=import-file]", &csv_path).await?;
    fresh.wait_for_text("[data-test=import-summary]", "共 2 行，全部可以导入").await?;
    fresh.screenshot("tablet-import-preview").await?;
    fresh.click("[data-test=import-confirm]").await?;
    fresh.wait_for_text("[data-test=list-count]", "共 2 位顾客").await?;
    fresh.wait_for_text("[data-test=row-name]", "孙丽").await?;
    fresh.fill("[data-test=search]", "孙丽").await?;
    fresh.click("[data-test=customer-row]").await?;
    fresh.wait_for_text("[data-test=card-remaining]", "5 / 5").await?;
    fresh.wait_for_text("[data-test=health-alert]", "花粉过敏").await?;
    let imported_path = fresh.client.current_url().await?.path().to_owned();
    assert_ne!(imported_path, file, "an import makes new files; it does not clone ids");

    // A spreadsheet with mistakes: every bad row is listed with its problem, nothing imported.
    let bad = data.path().join("bad.csv");
    std::fs::write(&bad, "姓名,电话,生日\n吴霞,139-abc,1990-01-01\n,13900000000,1990-02-30\n")?;
    fresh.navigate("/import").await?;
    fresh.upload("[data-test=import-file]", &bad).await?;
    fresh.wait_for_text("[data-test=import-row-bad]", "电话：电话只能包含数字").await?;
    fresh.wait_for_text("[data-test=import-row-bad]", "生日：请输入有效日期").await?;
    fresh.wait_for_text("[data-test=import-row-bad]", "姓名：必填项").await?;
    let disabled = fresh.wait_for("[data-test=import-confirm]").await?.attr("disabled").await?;
    assert!(disabled.is_some(), "no partial imports");
    fresh.resize(PHONE).await?;
    fresh.screenshot("phone-import-errors").await?;
    a.close().await?;
    fresh.close().await?;
    Ok(())
}

#[tokio::test]
async fn a_deleted_customer_can_be_undone_and_restored_from_the_bin() -> Result<()> {
    let data = tempfile::tempdir()?;
    let relay = Relay::start(data.path()).await?;
    let driver = Driver::start().await?;
    let a = Browser::open(&driver, TABLET).await?;
    join(&a, &relay).await?;
    create_customer(&a, "郑爽", "13500000001", "").await?;
    a.click("[data-test=delete]").await?;
    a.click("[data-test=delete-confirm]").await?;
    a.wait_for_text("[data-test=undo-bar]", "郑爽").await?;
    a.wait_for_text("[data-test=list-count]", "共 0 位顾客").await?;
    a.click("[data-test=undo]").await?;
    a.wait_for_text("[data-test=row-name]", "郑爽").await?;

    a.click("[data-test=customer-row]").await?;
    a.click("[data-test=delete]").await?;
    a.click("[data-test=delete-confirm]").await?;
    a.wait_for("[data-test=undo-bar]").await?;
    a.click("[data-test=book-bin]").await?;
    a.click("[data-test=customer-row]").await?;
    a.click("[data-test=restore]").await?;
    a.navigate("/").await?;
    a.wait_for_text("[data-test=list-count]", "共 1 位顾客").await?;
    a.close().await?;
    Ok(())
}

#[tokio::test]
async fn an_imported_number_with_this_devices_tag_is_never_handed_out_again() -> Result<()> {
    let data = tempfile::tempdir()?;
    let relay = Relay::start(data.path()).await?;
    let driver = Driver::start().await?;
    let a = Browser::open(&driver, TABLET).await?;
    a.goto(&relay.url()).await?;
    a.navigate("/settings").await?;
    let tag = a.text("[data-test=device-tag]").await?;
    let csv = data.path().join("paper-book.csv");
    std::fs::write(&csv, format!("编号,姓名\n{tag}-0003,纸本顾客\n"))?;
    a.navigate("/import").await?;
    a.upload("[data-test=import-file]", &csv).await?;
    a.click("[data-test=import-confirm]").await?;
    a.wait_for_text("[data-test=row-name]", "纸本顾客").await?;
    create_customer(&a, "新顾客", "13900000009", "").await?;
    a.wait_for_text(".file-number", &format!("{tag}-0004")).await?;
    a.close().await?;
    Ok(())
}
