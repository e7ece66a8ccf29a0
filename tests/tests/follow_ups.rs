//! End-to-end tests of follow-ups: a task completed offline on one tablet leaves the other's
//! worklist after sync; a contact recorded from a task closes it; a hand-over moves customers
//! and raises first-contact tasks. Real relay process, real built app, headless Chromium.

use anyhow::Result;
use e2e::{Browser, Driver, NEXT_DAY_TASK, PHONE, Relay, TABLET, bought_products_yesterday, create_customer, join};

#[tokio::test]
async fn a_task_completed_offline_on_one_tablet_leaves_the_other_after_sync() -> Result<()> {
    let data = tempfile::tempdir()?;
    let mut relay = Relay::start(data.path()).await?;
    let driver = Driver::start().await?;
    let a = Browser::open(&driver, TABLET).await?;
    let b = Browser::open(&driver, TABLET).await?;
    join(&a, &relay).await?;
    join(&b, &relay).await?;
    create_customer(&a, "陈静", "13800000041", "").await?;
    bought_products_yesterday(&a).await?;
    a.navigate("/today").await?;
    a.wait_for_text(&format!("{NEXT_DAY_TASK} [data-test=task-reason]"), "次日回访").await?;
    b.navigate("/today").await?;
    b.wait_for(NEXT_DAY_TASK).await?;
    b.screenshot("tablet-worklist").await?;

    relay.stop().await?;
    a.click(&format!("{NEXT_DAY_TASK} [data-test=task-done]")).await?;
    a.wait_for("[data-test=today-page]").await?;
    a.wait_gone(NEXT_DAY_TASK).await?;
    b.wait_for(NEXT_DAY_TASK).await?;
    relay.restart().await?;
    b.wait_gone(NEXT_DAY_TASK).await?;
    Ok(())
}

#[tokio::test]
async fn a_contact_recorded_from_a_task_closes_it_and_shows_in_the_log() -> Result<()> {
    let data = tempfile::tempdir()?;
    let relay = Relay::start(data.path()).await?;
    let driver = Driver::start().await?;
    let a = Browser::open(&driver, PHONE).await?;
    join(&a, &relay).await?;
    create_customer(&a, "林晓", "13800000051", "").await?;
    bought_products_yesterday(&a).await?;
    a.navigate("/today").await?;
    a.click(&format!("{NEXT_DAY_TASK} [data-test=task-record]")).await?;
    a.wait_for("[data-test=contact-answers]").await?;
    a.wait_for_text("[data-test=template-care]", "林晓").await?;
    a.click("[data-test=save-contact]").await?;
    a.wait_for_text("[data-test=contact-said-error]", "必填").await?;
    a.fill("#contact-by", "小美").await?;
    a.fill("#contact-said", "教她精华水早晚各用一次").await?;
    a.fill("#contact-response", "已经在用，感觉清爽").await?;
    a.screenshot("phone-contact-form").await?;
    a.click("[data-test=save-contact]").await?;
    a.wait_for_text("[data-test=contact-said]", "精华水早晚").await?;
    a.screenshot("phone-file-follow-ups").await?;
    a.navigate("/today").await?;
    a.wait_for("[data-test=today-page]").await?;
    a.wait_gone(NEXT_DAY_TASK).await?;

    Ok(())
}

#[tokio::test]
async fn a_handover_moves_her_customers_and_raises_first_contact_tasks() -> Result<()> {
    let data = tempfile::tempdir()?;
    let relay = Relay::start(data.path()).await?;
    let driver = Driver::start().await?;
    let a = Browser::open(&driver, TABLET).await?;
    let b = Browser::open(&driver, TABLET).await?;
    join(&a, &relay).await?;
    join(&b, &relay).await?;
    for (name, phone) in [("黄蓉", "13800000061"), ("郭芙", "13800000062")] {
        a.navigate("/customers/new").await?;
        a.fill("#field-name", name).await?;
        a.fill("#field-phone", phone).await?;
        a.client.execute("document.querySelectorAll('details').forEach(d => d.open = true)", vec![]).await?;
        a.fill("#field-beautician", "阿琳").await?;
        a.click("[data-test=save]").await?;
        a.wait_for_text("[data-test=file-name]", name).await?;
    }
    a.navigate("/handover").await?;
    a.set_value("[data-test=handover-from]", "阿琳").await?;
    a.wait_for_text("[data-test=handover-customer]", "郭芙").await?;
    a.fill("[data-test=handover-to]", "小美").await?;
    a.screenshot("tablet-handover").await?;
    a.click("[data-test=handover-run]").await?;
    a.wait_for("[data-test=handover-done]").await?;

    // The other tablet, set to 小美's worklist, has a first-contact task for each.
    b.navigate("/today").await?;
    b.set_value("[data-test=worklist-who]", "小美").await?;
    for name in ["黄蓉", "郭芙"] {
        b.wait_for_text("[data-test=task][data-task^='handover-'] [data-test=task-name]", name).await?;
    }
    b.wait_for_text("[data-test=task][data-task^='handover-'] [data-test=task-reason]", "原 阿琳").await?;
    Ok(())
}

#[tokio::test]
async fn a_complaint_logged_on_a_phone_shows_on_the_owners_home_screen_until_resolved() -> Result<()> {
    let data = tempfile::tempdir()?;
    let relay = Relay::start(data.path()).await?;
    let driver = Driver::start().await?;
    let phone = Browser::open(&driver, PHONE).await?;
    let owner = Browser::open(&driver, TABLET).await?;
    join(&phone, &relay).await?;
    join(&owner, &relay).await?;
    let path = create_customer(&phone, "赵敏", "13800000071", "").await?;
    phone.click("[data-test=add-complaint]").await?;
    phone.set_value("#complaint-category", "allergy").await?;
    phone.set_value("#complaint-severity", "high").await?;
    phone.click("[data-test=save-complaint]").await?;
    phone.wait_for_text("[data-test=complaint-text-error]", "必填").await?;
    phone.fill("#complaint-text", "做完果酸后两颊发红发痒").await?;
    phone.click("[data-test=save-complaint]").await?;
    phone.wait_for_text("[data-test=complaint-status]", "处理中").await?;

    owner.navigate("/settings").await?;
    owner.set_value("[data-test=role]", "owner").await?;
    owner.navigate("/").await?;
    owner.wait_for_text("[data-test=home-complaint]", "赵敏").await?;
    owner.wait_for_text("[data-test=home-complaint]", "过敏反应").await?;
    owner.screenshot("tablet-owner-home").await?;

    owner.navigate(&path).await?;
    owner.fill("[data-test=complaint-action]", "电话致歉，约复诊，赠送修护护理").await?;
    owner.click("[data-test=complaint-resolves]").await?;
    owner.click("[data-test=complaint-record]").await?;
    owner.wait_for_text("[data-test=complaint-status]", "已解决").await?;
    phone.wait_for_text("[data-test=complaint-status]", "已解决").await?;
    owner.navigate("/").await?;
    owner.wait_for("[data-test=owner-home]").await?;
    owner.wait_gone("[data-test=home-complaint]").await?;
    Ok(())
}

#[tokio::test]
async fn a_care_plan_changed_on_one_tablet_moves_the_tasks_on_the_other() -> Result<()> {
    let data = tempfile::tempdir()?;
    let relay = Relay::start(data.path()).await?;
    let driver = Driver::start().await?;
    let a = Browser::open(&driver, TABLET).await?;
    let b = Browser::open(&driver, TABLET).await?;
    join(&a, &relay).await?;
    join(&b, &relay).await?;
    create_customer(&a, "马丽", "13800000081", "").await?;
    bought_products_yesterday(&a).await?;
    b.navigate("/today").await?;
    b.wait_for(NEXT_DAY_TASK).await?;

    a.navigate("/today/plan").await?;
    a.fill("#plan-product-call-days", "2, x").await?;
    a.click("[data-test=plan-save]").await?;
    a.wait_for_text("[data-test=plan-product-call-days-error]", "1–365").await?;
    a.fill("#plan-product-call-days", "2, 7").await?;
    a.click("[data-test=plan-save]").await?;
    a.wait_for("[data-test=plan-saved]").await?;
    a.screenshot("tablet-care-plan").await?;

    // The first call now falls tomorrow: out of today's bucket, into this week's.
    b.wait_gone(NEXT_DAY_TASK).await?;
    b.wait_for("[data-test=bucket-thisweek] [data-test=task][data-task^='product-'][data-task*='-1@']").await?;
    Ok(())
}
