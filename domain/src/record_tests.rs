//! Golden bytes of every stored record, and what happens to records this build cannot read.
//!
//! The golden texts are what the first release wrote and what this build still writes. A
//! test here failing means a stored format changed: give the record a new version with a
//! hand-written conversion instead (see `record.rs`), and keep these texts reading.

use automerge::ObjType;
use automerge::ReadDoc;
use automerge::transaction::Transactable;
use jiff::Timestamp;
use jiff::civil::date;

use crate::care::complaints::{Category, Complaint, ComplaintAction, Severity};
use crate::care::rules::{CarePolicy, Handover};
use crate::care::{Channel, Contact, TaskState};
use crate::classify::Policy;
use crate::classify::abc::ValueClass;
use crate::classify::overrides::{Class, Override};
use crate::customer::{
    ConsentEvent, CustomerDoc, CustomerForm, CustomerNumber, EntryEdit, EntryId, Field, NewCustomer, Purpose, VisitForm,
};
use crate::ids::{CustomerId, DeviceId, DeviceTag};
use crate::money::{Fen, Payment};
use crate::record::{Record, RecordProblem, decode, decode_at, encode};
use crate::salon::SalonDoc;

fn entry(n: u8) -> EntryId {
    EntryId::from_random([n; 16])
}

fn at(seconds: i64) -> Timestamp {
    Timestamp::from_second(1_790_000_000 + seconds).expect("in range")
}

/// `golden` reads as `value`, and `value` is written as exactly `golden`.
fn golden<T: Record + PartialEq + std::fmt::Debug>(value: T, golden: &str) {
    assert_eq!(encode(&value).expect("encode"), golden, "the stored text of a {}", T::KIND);
    assert_eq!(decode::<T>(golden), Ok(value), "the golden {} reads back", T::KIND);
}

fn contact(answers: Option<&str>) -> Contact {
    Contact {
        id: entry(1),
        at: date(2026, 11, 2).at(15, 30, 0, 0),
        by: "小美".into(),
        channel: Channel::Call,
        said: "问候".into(),
        response: "满意".into(),
        result: "约了下周".into(),
        next_step: "".into(),
        answers: answers.map(str::to_owned),
        voided: false,
    }
}

fn complaint() -> Complaint {
    Complaint {
        id: entry(2),
        opened_on: date(2026, 11, 4),
        category: Category::Allergy,
        severity: Severity::High,
        text: "脸红".into(),
        assigned_to: "".into(),
    }
}

fn action() -> ComplaintAction {
    ComplaintAction {
        id: entry(3),
        complaint: entry(2),
        on: date(2026, 11, 5),
        by: "店长".into(),
        text: "回访".into(),
        resolves: true,
    }
}

fn boss_friend() -> Override {
    Override {
        class: Class::Value(ValueClass::A), reason: "老板的朋友".into(), until: None, set_on: date(2026, 11, 6)
    }
}

#[test]
fn every_stored_record_keeps_its_golden_bytes() {
    golden(
        contact(Some("first")),
        r#"{"id":"01010101010101010101010101010101","at":"2026-11-02T15:30:00","by":"小美","channel":"Call","said":"问候","response":"满意","result":"约了下周","next_step":"","answers":"first","voided":false}"#,
    );
    golden(TaskState::Done, r#""Done""#);
    golden(TaskState::Snoozed { until: date(2026, 12, 1) }, r#"{"Snoozed":{"until":"2026-12-01"}}"#);
    golden(
        Handover { on: date(2026, 11, 3), from: "小美".into(), to: "小丽".into() },
        r#"{"on":"2026-11-03","from":"小美","to":"小丽"}"#,
    );
    golden(
        complaint(),
        r#"{"id":"02020202020202020202020202020202","opened_on":"2026-11-04","category":"Allergy","severity":"High","text":"脸红","assigned_to":""}"#,
    );
    golden(
        action(),
        r#"{"id":"03030303030303030303030303030303","complaint":"02020202020202020202020202020202","on":"2026-11-05","by":"店长","text":"回访","resolves":true}"#,
    );
    golden(
        ConsentEvent::new(entry(4), Purpose::Health, true, "前台", at(0)).expect("consent"),
        r#"{"id":"04040404040404040404040404040404","purpose":"health","given":true,"by":"前台","at":"2026-09-21T14:13:20Z"}"#,
    );
    golden(
        boss_friend(),
        r#"{"dimension":"value","class":"a","reason":"老板的朋友","until":null,"set_on":"2026-11-06"}"#,
    );
}

#[test]
fn the_default_policy_and_care_plan_read_back_from_their_stored_text() {
    let policy = encode(&Policy::default()).expect("encode");
    assert_eq!(decode::<Policy>(&policy), Ok(Policy::default()));
    let plan = encode(&CarePolicy::default()).expect("encode");
    assert_eq!(decode::<CarePolicy>(&plan), Ok(CarePolicy::default()));
}

#[test]
fn a_record_from_a_newer_version_or_broken_is_reported_with_its_raw_text() {
    let newer = r#"{"v":2,"on":"2026-11-03","from":"小美","to":"小丽","reason":"调班"}"#;
    assert_eq!(decode::<Handover>(newer), Err(RecordProblem::Newer { version: 2 }));
    let explicit_v1 = r#"{"v":1,"on":"2026-11-03","from":"小美","to":"小丽"}"#;
    assert_eq!(decode::<Handover>(explicit_v1).map(|h| h.to), Ok("小丽".to_owned()), "an explicit version 1");
    let broken = decode_at::<Handover>("handover_x", r#"{"on":"yesterday"}"#).expect_err("broken");
    assert_eq!(
        (broken.kind, broken.key.as_str(), broken.raw.as_str()),
        ("handover", "handover_x", r#"{"on":"yesterday"}"#)
    );
    assert!(matches!(broken.problem, RecordProblem::Malformed { .. }), "{:?}", broken.problem);
    assert!(!broken.problem.is_newer());
    assert_eq!(decode::<Handover>(r#"{"v":"two"}"#), Err(RecordProblem::Missing { field: "v" }));
}

fn customer() -> CustomerDoc {
    let profile = CustomerForm::with(&[(Field::Name, "王芳"), (Field::SkinType, "dry")])
        .validate(date(2026, 11, 24), &|_| Err(crate::FieldProblem::UnknownCustomer))
        .expect("valid");
    let new = NewCustomer {
        id: CustomerId::from_random([9; 16]),
        number: CustomerNumber::new(DeviceTag::parse("K7QX").expect("tag"), 1),
        created_at: at(0),
        profile,
        consents: Purpose::ALL
            .into_iter()
            .enumerate()
            .map(|(i, p)| ConsentEvent::new(entry(200 + i as u8), p, true, "小美", at(0)).expect("consent"))
            .collect(),
    };
    CustomerDoc::create(DeviceId::from_random([1; 16]), &new).expect("create").0
}

fn visit(n: u8, amount: &str, payment: &str) -> crate::customer::Visit {
    let form = VisitForm {
        date: "2026-11-24".into(),
        time: "15:30".into(),
        items: "面部补水".into(),
        amount: amount.into(),
        payment: payment.into(),
        ..VisitForm::default()
    };
    form.validate(entry(n), &crate::customer::Account::default(), date(2026, 11, 24).at(18, 0, 0, 0)).expect("visit")
}

/// What a newer app would write: a visit paid by a method this build does not know, a
/// source it does not know, a consent decision of a newer shape and a newer contact.
fn written_by_a_newer_app(doc: &mut CustomerDoc) {
    doc.raw_edit(|tx| {
        let visits = match tx.get(automerge::ROOT, "visits").expect("get") {
            Some((automerge::Value::Object(ObjType::Map), id)) => id,
            _ => panic!("visits map"),
        };
        let e = tx.put_object(&visits, entry(50).as_str(), ObjType::Map).expect("entry");
        tx.put(&e, "at", "2026-11-20T10:00:00").expect("put");
        tx.put(&e, "amount", 38_800i64).expect("put");
        tx.put(&e, "payment", "meituan").expect("put");
        tx.put(automerge::ROOT, "skin_type", "glass_skin").expect("put");
        tx.put(automerge::ROOT, "consent_newer", r#"{"v":2,"purpose":"health","given":false}"#).expect("put");
        tx.put(automerge::ROOT, "contact_newer", r#"{"v":3,"said":"?"}"#).expect("put");
    });
}

#[test]
fn a_visit_paid_by_an_unknown_method_is_kept_and_listed_never_read_as_cash() {
    let mut doc = customer();
    let device = DeviceId::from_random([1; 16]);
    doc.edit_entry(device, EntryEdit::AddVisit(&visit(10, "100", "wechat")), at(1)).expect("visit");
    written_by_a_newer_app(&mut doc);
    let file = doc.file().expect("the file still reads");
    assert_eq!(file.visits.len(), 1, "only the visit this build can read is listed");
    assert_eq!(file.visits[0].payment, Payment::WeChat);
    let account = file.account(date(2026, 11, 24));
    assert_eq!(account.spent, Fen::new(10_000), "the unknown visit is in no total, cash or other");
    let unread: Vec<_> = file.unreadable.iter().map(|u| (u.kind, u.key.as_str())).collect();
    let visit_key = entry(50).as_str().to_owned();
    assert!(unread.contains(&("visit", visit_key.as_str())), "{unread:?}");
    assert!(unread.contains(&("profile", "skin_type")), "{unread:?}");
    assert!(unread.contains(&("consent", "consent_newer")), "{unread:?}");
    assert!(unread.contains(&("contact", "contact_newer")), "{unread:?}");
    assert_eq!(file.unreadable.len(), 4, "{unread:?}");
    assert!(file.unreadable.iter().all(|u| u.problem.is_newer()), "{:?}", file.unreadable);
    let visit = file.unreadable.iter().find(|u| u.kind == "visit").expect("visit");
    assert_eq!(visit.problem, RecordProblem::UnknownValue { field: "payment", value: "meituan".into() });
    // A consent decision it cannot read may be a withdrawal: nothing is allowed meanwhile.
    assert!(!file.consents.allows(Purpose::Health));
    assert_eq!(file.consents.status(Purpose::Health), crate::customer::ConsentStatus::Unreadable, "not shown as given");
    assert!(file.consents.refuses(Purpose::Marketing), "no greeting goes out while it may be a no");
    assert!(!doc.consents().allows(Purpose::Photos));
    // Her JSON export leaves none of them out: each with where it is, its text and why.
    let json: serde_json::Value =
        serde_json::from_str(&crate::transfer::export_json(std::slice::from_ref(&file), date(2026, 11, 24)))
            .expect("json");
    let exported = json[0]["unreadable"].as_array().expect("unreadable records exported");
    assert_eq!(exported.len(), 4);
    let consent = exported.iter().find(|u| u["kind"] == "consent").expect("the consent");
    assert_eq!(consent["raw"], r#"{"v":2,"purpose":"health","given":false}"#);
    assert!(consent["problem"].as_str().is_some_and(|p| p.contains("newer")), "{consent}");
}

#[test]
fn editing_a_file_leaves_the_records_this_build_cannot_read_as_they_are() {
    let mut doc = customer();
    let device = DeviceId::from_random([1; 16]);
    written_by_a_newer_app(&mut doc);
    let file = doc.file().expect("file");
    assert_eq!(file.customer.profile.get(Field::SkinType), "", "the form shows the unknown skin type blank");
    let mut form = CustomerForm::from_profile(&file.customer.profile, &|_| None);
    form.set(Field::Occupation, "教师");
    let edited = form.validate(date(2026, 11, 24), &|_| Err(crate::FieldProblem::UnknownCustomer)).expect("valid");
    let changes = doc.update_profile(device, &doc.version(), &edited, at(5)).expect("edit");
    assert_eq!(changes.len(), 1, "one edit");
    doc.edit_entry(device, EntryEdit::AddVisit(&visit(11, "50", "cash")), at(6)).expect("visit");
    let reloaded = CustomerDoc::load(&doc.save()).expect("load");
    let file = reloaded.file().expect("file");
    assert_eq!(file.customer.profile.get(Field::Occupation), "教师");
    assert_eq!(reloaded.raw_string("skin_type"), "glass_skin", "the newer skin type is still stored");
    assert_eq!(file.unreadable.len(), 4, "all four still kept: {:?}", file.unreadable);
    // What an updated app would read: the raw visit is all there.
    let kept = file.unreadable.iter().find(|u| u.kind == "visit").expect("visit");
    assert_eq!(kept.key, entry(50).as_str());
    // Erasure still finds every photo, readable or not (none here).
    assert!(reloaded.photo_blobs().is_empty());
}

#[test]
fn a_policy_from_a_newer_app_is_reported_not_replaced_by_the_defaults_silently() {
    let mut salon = SalonDoc::empty();
    let device = DeviceId::from_random([1; 16]);
    salon.set_policy(device, &Policy::default(), at(0)).expect("policy");
    assert_eq!(salon.policy(), Ok(Some(Policy::default())));
    salon.raw_put("policy", r#"{"v":2,"tiers":[]}"#);
    let unread = salon.policy().expect_err("a newer policy");
    assert_eq!((unread.kind, unread.problem.clone()), ("policy", RecordProblem::Newer { version: 2 }));
    assert_eq!(unread.raw, r#"{"v":2,"tiers":[]}"#, "its text is kept for an updated app");
    salon.raw_put("care_plan", "not json");
    assert!(matches!(salon.care_plan(), Err(u) if !u.problem.is_newer()));
}

// ---- a whole document as the December 2026 release saved it -----------------------------

const GOLDEN_DOC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/golden/customer-2026-12.automerge");

/// The golden document: a generated customer with cards, money, visits and photos, plus a
/// contact, a complaint with its action, an override, a task decision and a hand-over.
fn golden_document() -> CustomerDoc {
    let today = date(2026, 12, 2);
    let device = DeviceId::from_random([3; 16]);
    let customers = crate::generator::salon(11, 400, today);
    let rich = customers
        .iter()
        .find(|c| !c.cards.is_empty() && !c.money.is_empty() && c.visits.len() >= 2 && !c.photos.is_empty())
        .expect("a customer with every kind of entry");
    let (mut doc, _) = rich.build(device).expect("build");
    doc.put_contact(device, &contact(None), at(10)).expect("contact");
    doc.add_complaint(device, &complaint(), at(11)).expect("complaint");
    doc.add_complaint_action(device, &action(), at(12)).expect("action");
    let dimension = crate::classify::overrides::Dimension::Value;
    doc.set_override(device, dimension, Some(&boss_friend()), at(13)).expect("override");
    doc.set_task_state(device, "first", Some(&TaskState::Done), at(14)).expect("task");
    doc.hand_over(
        device,
        &entry(4),
        &Handover { on: date(2026, 11, 7), from: "小美".into(), to: "小丽".into() },
        at(15),
    )
    .expect("handover");
    doc
}

#[test]
fn a_document_saved_by_the_december_2026_release_reads_the_same() {
    // Written once, when the release was cut (`MEIKE_WRITE_GOLDEN=1 cargo test -p domain
    // december`); never rewritten to make this test pass.
    if std::env::var_os("MEIKE_WRITE_GOLDEN").is_some() {
        std::fs::write(GOLDEN_DOC, golden_document().save()).expect("write");
    }
    let bytes = std::fs::read(GOLDEN_DOC).expect("the golden document is in the tree");
    let file = CustomerDoc::load(&bytes).expect("loads").file().expect("reads");
    assert!(file.unreadable.is_empty(), "{:?}", file.unreadable);
    let summary = (
        file.customer.number.to_string(),
        file.visits.len(),
        file.cards.len(),
        file.money.len(),
        file.photos.len(),
        file.contacts.len(),
        file.complaints.len(),
        file.handovers.len(),
        file.task_states.len(),
        file.overrides.len(),
        file.consents.events().len(),
    );
    let account = file.account(date(2026, 12, 2));
    let payments: Vec<&str> = file.visits.iter().map(|v| v.payment.key()).collect();
    let printed = format!(
        "{summary:?} spent {} prepaid {} debt {} liability {} payments {payments:?} name {}",
        account.spent.as_fen(),
        account.prepaid.as_fen(),
        account.debt.as_fen(),
        account.liability.as_fen(),
        file.customer.profile.get(Field::Name)
    );
    assert_eq!(printed, GOLDEN_READING, "the golden document must read as it did when it was saved");
    assert!(file.complaints[0].resolved_on.is_some(), "the action resolves the complaint");
}

/// What the golden document read as on the day it was saved (printed by the test above).
const GOLDEN_READING: &str = concat!(
    r#"("GEN0-0004", 6, 1, 1, 2, 1, 1, 1, 1, 1, 3) spent 184200 prepaid 500000 debt 0 liability 79200 "#,
    r#"payments ["cash", "cash", "alipay", "cash", "cash", "cash"] name 胡梅"#
);

#[test]
fn a_card_or_visit_whose_numbers_this_build_cannot_read_is_listed_not_guessed() {
    let mut doc = customer();
    doc.raw_edit(|tx| {
        let cards = match tx.get(automerge::ROOT, "cards").expect("get") {
            Some((automerge::Value::Object(ObjType::Map), id)) => id,
            _ => panic!("cards map"),
        };
        let card = tx.put_object(&cards, entry(60).as_str(), ObjType::Map).expect("entry");
        tx.put(&card, "item", "面部补水").expect("put");
        tx.put(&card, "sessions", 10u64).expect("put");
        tx.put(&card, "price", 100_000i64).expect("put");
        tx.put(&card, "payment", "cash").expect("put");
        tx.put(&card, "bought_on", "2026-11-01").expect("put");
        tx.put(&card, "expires_on", "next spring").expect("put");
        let visits = match tx.get(automerge::ROOT, "visits").expect("get") {
            Some((automerge::Value::Object(ObjType::Map), id)) => id,
            _ => panic!("visits map"),
        };
        let visit = tx.put_object(&visits, entry(61).as_str(), ObjType::Map).expect("entry");
        tx.put(&visit, "at", "2026-11-20T10:00:00").expect("put");
        tx.put(&visit, "amount", 0i64).expect("put");
        tx.put(&visit, "payment", "cash").expect("put");
        let uses = tx.put_object(&visit, "card_uses", ObjType::Map).expect("uses");
        tx.put(&uses, entry(60).as_str(), "two").expect("put");
        // A name longer than today's limit (a newer app's): shown, not hidden.
        tx.put(automerge::ROOT, "name", "欧阳".repeat(30)).expect("put");
    });
    let file = doc.file().expect("her file still reads");
    assert_eq!(file.customer.profile.get(Field::Name), "欧阳".repeat(30));
    let unread: Vec<_> = file.unreadable.iter().map(|u| u.kind).collect();
    assert_eq!(unread, ["visit", "card"], "{:?}", file.unreadable);
    assert!(file.cards.is_empty() && file.visits.is_empty(), "neither guessed at");
}
