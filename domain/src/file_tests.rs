//! Native tests of the complete customer file: money, cards and balances (including two
//! devices using the last session offline), the visit/card/money forms, pinyin search, the
//! paper books, the schema upgrade, deletion, CSV/JSON transfer and the salon generator.

use std::collections::BTreeMap;

use automerge::transaction::{CommitOptions, Transactable};
use automerge::{Automerge, ObjType, ROOT, ScalarValue};
use jiff::Timestamp;
use jiff::civil::{Date, date};

use crate::DomainError;
use crate::FieldProblem;
use crate::customer::{
    Account, AgeBand, Birthday, BodyArea, Book, CardForm, ConsentEvent, ConsentStatus, CustomerDoc, CustomerFile,
    CustomerForm, CustomerNumber, CustomerSummary, EntryEdit, EntryField, EntryId, Field, MoneyForm, NameKeys,
    NewCustomer, Photo, PhotoStage, Profile, Purpose, SearchQuery, VisitForm, search,
};
use crate::generator;
use crate::ids::{CustomerId, DeviceId, DeviceTag};
use crate::money::{Fen, Payment};
use crate::transfer::{self, Column, ImportContext, ImportError, Labels};

const TODAY: Date = date(2026, 11, 24);

fn device(n: u8) -> DeviceId {
    DeviceId::from_random([n; 16])
}

fn at(seconds: i64) -> Timestamp {
    Timestamp::from_second(1_790_000_000 + seconds).expect("in range")
}

fn entry(n: u8) -> EntryId {
    EntryId::from_random([n; 16])
}

fn now() -> jiff::civil::DateTime {
    TODAY.at(18, 0, 0, 0)
}

fn no_referrer(_: &str) -> Result<CustomerId, FieldProblem> {
    Err(FieldProblem::UnknownCustomer)
}

fn customer_doc(name: &str) -> CustomerDoc {
    let profile = CustomerForm::with(&[(Field::Name, name)]).validate(TODAY, &no_referrer).expect("valid");
    let new = NewCustomer {
        id: CustomerId::from_random([9; 16]),
        number: CustomerNumber::new(DeviceTag::parse("K7QX").expect("tag"), 1),
        created_at: at(0),
        profile,
        consents: consented(),
    };
    CustomerDoc::create(device(1), &new).expect("create").0
}

/// She signed all three consents when her file was opened.
fn consented() -> Vec<ConsentEvent> {
    Purpose::ALL
        .into_iter()
        .enumerate()
        .map(|(i, p)| ConsentEvent::new(entry(200 + i as u8), p, true, "小美", at(0)).expect("consent"))
        .collect()
}

fn file(doc: &CustomerDoc) -> CustomerFile {
    doc.file().expect("file")
}

fn card_form(sessions: &str, price: &str, expires: &str) -> CardForm {
    CardForm {
        item: "面部补水".into(),
        sessions: sessions.into(),
        price: price.into(),
        payment: "wechat".into(),
        bought_on: "2026-10-01".into(),
        expires_on: expires.into(),
    }
}

fn visit_form(cards: &[&EntryId], amount: &str, payment: &str) -> VisitForm {
    VisitForm {
        date: "2026-11-24".into(),
        time: "15:30".into(),
        items: "面部补水".into(),
        beautician: "小美".into(),
        amount: amount.into(),
        payment: payment.into(),
        cards: cards.iter().map(|c| c.as_str().to_owned()).collect(),
        ..VisitForm::default()
    }
}

// ---- money -------------------------------------------------------------------------------

#[test]
fn amounts_parse_as_exact_fen() {
    let ok = |raw: &str, fen: i64| assert_eq!(Fen::parse(raw), Ok(Fen::new(fen)), "input {raw:?}");
    ok("128", 12_800);
    ok("128.5", 12_850);
    ok("128.05", 12_805);
    ok("0.1", 10);
    ok("1,280.00", 128_000);
    ok("¥ 99", 9_900);
    ok("￥3,000", 300_000);
    ok("10000000", 1_000_000_000);
    for bad in ["", "-5", "12.345", "1.2.3", "abc", "12.", ".5", "1e3", "¥"] {
        assert_eq!(Fen::parse(bad), Err(FieldProblem::NotAnAmount), "input {bad:?}");
    }
    assert_eq!(Fen::parse("10000000.01"), Err(FieldProblem::AmountTooLarge { max_yuan: 10_000_000 }));
    assert_eq!(Fen::parse("99999999999999999999"), Err(FieldProblem::AmountTooLarge { max_yuan: 10_000_000 }));
}

#[test]
fn amounts_print_for_reading_and_for_cells() {
    assert_eq!(Fen::new(128_000).display(), "¥1,280.00");
    assert_eq!(Fen::new(123_456_789).display(), "¥1,234,567.89");
    assert_eq!(Fen::new(-3_550).display(), "-¥35.50");
    assert_eq!(Fen::new(5).plain(), "0.05");
    assert_eq!(Fen::new(-3_550).plain(), "-35.50");
    assert_eq!(Fen::new(1_000).share(1, 3), Fen::new(333), "rounded down");
    assert_eq!(Fen::new(1_000).share(1, 0), Fen::ZERO);
}

#[test]
fn age_bands_follow_the_seed_boundaries() {
    let band = |born: &str| Birthday::parse(born, TODAY).expect("date").age_band_on(TODAY);
    assert_eq!(band("2006-11-25"), AgeBand::Under20, "19, one day before the 20th birthday");
    assert_eq!(band("2006-11-24"), AgeBand::From20To24, "20 today");
    assert_eq!(band("2001-11-25"), AgeBand::From20To24, "24");
    assert_eq!(band("2001-11-24"), AgeBand::From25To34, "25 today");
    assert_eq!(band("1991-11-25"), AgeBand::From25To34, "34");
    assert_eq!(band("1991-11-24"), AgeBand::From35, "35 today");
}

// ---- cards, balances and the forms that feed them -------------------------------------------

#[test]
fn a_visit_using_a_card_session_decrements_it_and_its_value() {
    let mut doc = customer_doc("张三");
    let card = card_form("10", "2000", "2027-10-01").validate(entry(1), &Account::default(), TODAY).expect("card");
    doc.edit_entry(device(1), EntryEdit::AddCard(&card), at(1)).expect("add card");
    let account = file(&doc).account(TODAY);
    assert_eq!(account.card(&card.id).map(|c| (c.remaining, c.value)), Some((10, Fen::yuan(2000))));

    let visit = visit_form(&[&card.id], "", "cash").validate(entry(2), &account, now()).expect("visit");
    doc.edit_entry(device(1), EntryEdit::AddVisit(&visit), at(2)).expect("add visit");
    let account = file(&doc).account(TODAY);
    let status = account.card(&card.id).expect("card");
    assert_eq!((status.used, status.remaining, status.value), (1, 9, Fen::yuan(1800)));
    assert_eq!(account.liability, Fen::yuan(1800));
    assert_eq!(account.spent, Fen::yuan(2000), "the card was the spend; the session itself cost nothing more");
    assert_eq!(account.visits, 1);
}

#[test]
fn two_tablets_using_the_last_session_offline_keep_both_visits_and_flag_the_overdraw() {
    let mut doc = customer_doc("张三");
    let card = card_form("1", "300", "").validate(entry(1), &Account::default(), TODAY).expect("card");
    doc.edit_entry(device(1), EntryEdit::AddCard(&card), at(1)).expect("add card");
    let (mut a, mut b) = (doc.clone(), doc);

    let account_a = file(&a).account(TODAY);
    let visit_a = visit_form(&[&card.id], "", "cash").validate(entry(2), &account_a, now()).expect("a may use it");
    let from_a = a.edit_entry(device(2), EntryEdit::AddVisit(&visit_a), at(2)).expect("a");
    let account_b = file(&b).account(TODAY);
    let visit_b = visit_form(&[&card.id], "", "cash").validate(entry(3), &account_b, now()).expect("b may use it");
    let from_b = b.edit_entry(device(3), EntryEdit::AddVisit(&visit_b), at(3)).expect("b");

    // On one device, a second use of the used-up card is refused.
    let used_up = visit_form(&[&card.id], "", "cash").validate(entry(4), &file(&a).account(TODAY), now());
    assert_eq!(used_up.expect_err("refused").get(EntryField::Card), Some(&FieldProblem::CardUsedUp));

    a.apply_changes(from_b.iter().map(|c| c.bytes.as_slice())).expect("apply");
    b.apply_changes(from_a.iter().map(|c| c.bytes.as_slice())).expect("apply");
    for doc in [&a, &b] {
        let f = file(doc);
        assert_eq!(f.visits.len(), 2, "both visits are kept");
        let account = f.account(TODAY);
        let status = account.card(&card.id).expect("card");
        assert_eq!(status.remaining, -1);
        assert!(status.overdrawn() && account.overdrawn());
        assert_eq!(status.value, Fen::ZERO, "no negative liability");
        assert!(CustomerSummary::of(&f, TODAY).overdrawn, "the list shows it too");
    }
    assert_eq!(a.heads(), b.heads());
}

#[test]
fn prepaid_and_debt_are_derived_from_entries_and_merge_offline_without_loss() {
    let mut doc = customer_doc("李四");
    let top_up = MoneyForm {
        kind: "top_up".into(),
        amount: "1000".into(),
        payment: "wechat".into(),
        on: "2026-11-01".into(),
        note: String::new(),
    };
    doc.edit_entry(device(1), EntryEdit::AddMoney(&top_up.validate(entry(1), TODAY).expect("top-up")), at(1))
        .expect("add");
    let (mut a, mut b) = (doc.clone(), doc);
    // Tablet A: a visit paid from the prepaid balance. Tablet B: one bought on account.
    let acc = file(&a).account(TODAY);
    let va = visit_form(&[], "298", "prepaid").validate(entry(2), &acc, now()).expect("visit");
    let ca = a.edit_entry(device(2), EntryEdit::AddVisit(&va), at(2)).expect("a");
    let vb = visit_form(&[], "128.50", "on_account").validate(entry(3), &acc, now()).expect("visit");
    let cb = b.edit_entry(device(3), EntryEdit::AddVisit(&vb), at(3)).expect("b");
    let repay = MoneyForm {
        kind: "repayment".into(),
        amount: "100".into(),
        payment: "cash".into(),
        on: "2026-11-24".into(),
        note: String::new(),
    };
    let cr = b
        .edit_entry(device(3), EntryEdit::AddMoney(&repay.validate(entry(4), TODAY).expect("repay")), at(4))
        .expect("b");
    a.apply_changes(cb.iter().chain(&cr).map(|c| c.bytes.as_slice())).expect("apply");
    b.apply_changes(ca.iter().map(|c| c.bytes.as_slice())).expect("apply");
    for doc in [&a, &b] {
        let account = file(doc).account(TODAY);
        assert_eq!(account.prepaid, Fen::yuan(1000) - Fen::yuan(298));
        assert_eq!(account.debt, Fen::new(12_850) - Fen::yuan(100));
        assert_eq!(account.spent, Fen::new(29_800 + 12_850), "top-ups are not spend; both visits are");
    }
    // Voiding the on-account visit takes its debt away.
    a.edit_entry(device(2), EntryEdit::Void(&vb.id), at(5)).expect("void");
    let account = file(&a).account(TODAY);
    assert_eq!(account.debt, -Fen::yuan(100), "the repayment stays; the file shows a credit");
    assert_eq!(account.visits, 1);
    assert!(a.edit_entry(device(2), EntryEdit::Void(&entry(99)), at(6)).is_err(), "unknown entry");
}

#[test]
fn one_device_never_overdraws_the_prepaid_balance_and_two_offline_ones_are_flagged() {
    let mut doc = customer_doc("周七");
    let top_up = MoneyForm {
        kind: "top_up".into(),
        amount: "1000".into(),
        payment: "wechat".into(),
        on: "2026-11-01".into(),
        note: String::new(),
    };
    doc.edit_entry(device(1), EntryEdit::AddMoney(&top_up.validate(entry(1), TODAY).expect("top-up")), at(1))
        .expect("add");
    let account = file(&doc).account(TODAY);
    let short = FieldProblem::PrepaidShort { balance: Fen::yuan(1000) };
    let too_much = visit_form(&[], "1000.01", "prepaid").validate(entry(2), &account, now()).expect_err("refused");
    assert_eq!(too_much.get(EntryField::Amount), Some(&short), "the balance is shown");
    assert!(visit_form(&[], "1000", "prepaid").validate(entry(2), &account, now()).is_ok(), "exactly the balance");
    assert!(visit_form(&[], "99999", "cash").validate(entry(2), &account, now()).is_ok(), "other means are fine");
    let card = CardForm { payment: "prepaid".into(), ..card_form("10", "2000", "") };
    assert_eq!(card.validate(entry(3), &account, TODAY).expect_err("refused").get(EntryField::Price), Some(&short));
    // Two tablets offline each take 600 from the same 1,000: both visits are kept, and the
    // merged file and its list entry say the balance is overdrawn.
    let (mut a, mut b) = (doc.clone(), doc);
    let va = visit_form(&[], "600", "prepaid").validate(entry(4), &account, now()).expect("a");
    let vb = visit_form(&[], "600", "prepaid").validate(entry(5), &account, now()).expect("b");
    a.edit_entry(device(2), EntryEdit::AddVisit(&va), at(2)).expect("a");
    let cb = b.edit_entry(device(3), EntryEdit::AddVisit(&vb), at(3)).expect("b");
    a.apply_changes(cb.iter().map(|c| c.bytes.as_slice())).expect("apply");
    let merged = file(&a);
    let account = merged.account(TODAY);
    assert_eq!(account.prepaid, Fen::yuan(-200));
    assert!(account.overdrawn() && account.prepaid_overdrawn());
    assert!(CustomerSummary::of(&merged, TODAY).overdrawn, "the list shows it");
}

#[test]
fn a_debt_records_no_payment_method() {
    let form = |kind: &str| MoneyForm {
        kind: kind.into(),
        amount: "50".into(),
        payment: "cash".into(),
        on: "2026-11-01".into(),
        note: String::new(),
    };
    assert_eq!(form("debt").validate(entry(1), TODAY).expect("debt").paid_by(), None);
    assert_eq!(form("repayment").validate(entry(1), TODAY).expect("repayment").paid_by(), Some(Payment::Cash));
}

#[test]
fn card_form_checks_each_field() {
    let errors = CardForm {
        item: " ".into(),
        sessions: "0".into(),
        price: "12.345".into(),
        payment: "gold".into(),
        bought_on: "2026-10-01".into(),
        expires_on: "2026-09-30".into(),
    }
    .validate(entry(1), &Account::default(), TODAY)
    .expect_err("invalid");
    assert_eq!(errors.get(EntryField::Item), Some(&FieldProblem::Required));
    assert_eq!(errors.get(EntryField::Sessions), Some(&FieldProblem::NotInRange { min: 1, max: 500 }));
    assert_eq!(errors.get(EntryField::Price), Some(&FieldProblem::NotAnAmount));
    assert_eq!(errors.get(EntryField::Payment), Some(&FieldProblem::UnknownChoice));
    assert_eq!(errors.get(EntryField::Expiry), Some(&FieldProblem::DateBeforeStart));
    assert!(card_form("500", "0", "").validate(entry(1), &Account::default(), TODAY).is_ok(), "a free card is a card");
    assert!(card_form("501", "1", "").validate(entry(1), &Account::default(), TODAY).is_err());
}

#[test]
fn expired_and_expiring_cards_are_told_apart() {
    let mut doc = customer_doc("王五");
    for (n, expiry) in [(1, "2026-11-23"), (2, "2026-11-24"), (3, "2026-12-24"), (4, "2026-12-25"), (5, "")] {
        let card = card_form("5", "500", expiry).validate(entry(n), &Account::default(), TODAY).expect("card");
        doc.edit_entry(device(1), EntryEdit::AddCard(&card), at(i64::from(n))).expect("add");
    }
    let account = file(&doc).account(TODAY);
    let flags: Vec<(bool, bool)> = account.cards.iter().map(|c| (c.expired, c.expiring_soon)).collect();
    assert_eq!(flags, [(true, false), (false, true), (false, true), (false, false), (false, false)]);
    let expired = visit_form(&[&entry(1)], "", "cash").validate(entry(9), &account, now());
    assert_eq!(expired.expect_err("refused").get(EntryField::Card), Some(&FieldProblem::CardExpired));
    let summary = CustomerSummary::of(&file(&doc), TODAY);
    assert_eq!(summary.expiring_card(TODAY), Some(date(2026, 11, 23)));
    assert!(Book::CardsExpiring.contains(&summary, TODAY));
    assert_eq!(summary.open_sessions, 25);
}

#[test]
fn visit_and_money_forms_report_specific_problems() {
    let account = crate::customer::Account::default();
    let errors = VisitForm {
        date: "2026-11-26".into(),
        time: "25:00".into(),
        amount: "-1".into(),
        payment: "cash".into(),
        ..VisitForm::default()
    }
    .validate(entry(1), &account, now())
    .expect_err("invalid");
    assert_eq!(errors.get(EntryField::Time), Some(&FieldProblem::NotADate));
    assert_eq!(errors.get(EntryField::Items), Some(&FieldProblem::Missing));
    assert_eq!(errors.get(EntryField::Amount), Some(&FieldProblem::NotAnAmount));
    let future = VisitForm {
        date: "2026-11-26".into(),
        time: "10:00".into(),
        items: "x".into(),
        payment: "cash".into(),
        ..VisitForm::default()
    };
    assert_eq!(
        future.validate(entry(1), &account, now()).expect_err("future").get(EntryField::Date),
        Some(&FieldProblem::DateInFuture)
    );
    let unknown_card = visit_form(&[&entry(7)], "", "cash").validate(entry(1), &account, now());
    assert_eq!(unknown_card.expect_err("no such card").get(EntryField::Card), Some(&FieldProblem::NotFound));

    let zero = MoneyForm {
        kind: "top_up".into(),
        amount: "0".into(),
        payment: "prepaid".into(),
        on: "2026-11-24".into(),
        note: String::new(),
    };
    let errors = zero.validate(entry(1), TODAY).expect_err("invalid");
    assert_eq!(errors.get(EntryField::Amount), Some(&FieldProblem::NotPositive));
    assert_eq!(errors.get(EntryField::Payment), Some(&FieldProblem::UnknownChoice), "a top-up from the balance itself");
}

// ---- pinyin search and the books -------------------------------------------------------------

#[test]
fn pinyin_initials_full_syllables_and_mixes_find_chinese_names() {
    let zhang_san = NameKeys::of("张三");
    for query in ["zs", "zhang", "zhangs", "zsan", "zhangsan", "san", "z", "zha"] {
        assert!(zhang_san.matches(query), "{query:?} finds 张三");
    }
    for query in ["ls", "zhangl", "zz", "sanz", "zhan g x"] {
        assert!(!zhang_san.matches(query), "{query:?} does not find 张三");
    }
    assert!(NameKeys::of("单丽").matches("sl"), "单 as a surname reads shan");
    assert!(NameKeys::of("单丽").matches("dl"), "and dan");
    assert!(NameKeys::of("曾静").matches("zengjing"));
    assert!(NameKeys::of("吕燕").matches("lvyan"), "ü is typed as v");
    assert!(NameKeys::of("Lily王").matches("lilyw"), "latin letters stay themselves");
}

fn summaries() -> Vec<CustomerSummary> {
    generator::salon(7, 60, TODAY)
        .iter()
        .map(|c| CustomerSummary::of(&c.build(device(1)).expect("build").0.file().expect("file"), TODAY))
        .collect()
}

#[test]
fn search_finds_by_pinyin_tag_and_beautician_through_the_list() {
    let all = summaries();
    let target = all.iter().find(|s| s.name.chars().count() == 3).expect("a three-character name");
    let initials = target.pinyin.initials();
    assert_eq!(initials.len(), 3);
    let hits = search(&all, Book::All, &SearchQuery::parse(&initials.to_uppercase()), TODAY);
    assert!(hits.iter().any(|s| s.id == target.id), "{initials:?} finds {}", target.name);

    let tagged = all.iter().find(|s| !s.tags.is_empty()).expect("a tagged customer");
    let tag = &tagged.tags[0];
    let hits = search(&all, Book::All, &SearchQuery::parse(&format!("#{tag}")), TODAY);
    assert!(!hits.is_empty() && hits.iter().all(|s| s.tags.contains(tag) || s.name.contains(tag.as_str())));

    let hits = search(&all, Book::All, &SearchQuery::parse("阿琳"), TODAY);
    assert!(!hits.is_empty() && hits.iter().all(|s| s.beautician == "阿琳"));
}

#[test]
fn the_paper_books_split_the_customers() {
    let all = summaries();
    let count = |book| search(&all, book, &SearchQuery::parse(""), TODAY).len();
    assert_eq!(count(Book::Members) + count(Book::Potential), count(Book::All));
    assert!(count(Book::Members) > 0 && count(Book::Potential) > 0);
    let debtors = search(&all, Book::Debtors, &SearchQuery::parse(""), TODAY);
    assert!(!debtors.is_empty());
    assert!(debtors.windows(2).all(|w| w[0].debt >= w[1].debt), "largest debt first");
    assert!(debtors.iter().all(|s| s.debt > Fen::ZERO));
    assert_eq!(count(Book::Bin), 0);
}

// ---- deletion --------------------------------------------------------------------------------

#[test]
fn a_deleted_customer_moves_to_the_bin_and_comes_back_whole() {
    let mut doc = customer_doc("赵六");
    let card = card_form("3", "300", "").validate(entry(1), &Account::default(), TODAY).expect("card");
    doc.edit_entry(device(1), EntryEdit::AddCard(&card), at(1)).expect("add");
    let before = file(&doc);
    doc.set_deleted(device(1), true, at(2)).expect("delete");
    let deleted = CustomerSummary::of(&file(&doc), TODAY);
    assert_eq!(deleted.deleted_at, Some(at(2).as_millisecond()));
    assert!(Book::Bin.contains(&deleted, TODAY) && !Book::All.contains(&deleted, TODAY));
    doc.set_deleted(device(1), false, at(3)).expect("restore");
    let after = file(&doc);
    assert_eq!(after.deleted_at, None);
    assert_eq!((after.customer, after.cards), (before.customer, before.cards), "nothing lost");
}

// ---- schema upgrade --------------------------------------------------------------------------

/// A document as the first release wrote it: only `allergies` and `notes` were containers.
fn schema_1_doc() -> (CustomerDoc, Vec<u8>) {
    let mut doc = Automerge::new().with_actor(device(1).actor());
    let mut tx = doc.transaction();
    tx.put(ROOT, "schema", ScalarValue::Uint(1)).expect("put");
    tx.put(ROOT, "kind", "customer").expect("put");
    tx.put(ROOT, "id", CustomerId::from_random([5; 16]).as_str()).expect("put");
    tx.put(ROOT, "number", "K7QX-0001").expect("put");
    tx.put(ROOT, "created_at", ScalarValue::Timestamp(1_000)).expect("put");
    for key in ["name", "gender", "phone", "birthday", "source", "beautician"] {
        tx.put(ROOT, key, if key == "name" { "老顾客" } else { "" }).expect("put");
    }
    let allergies = tx.put_object(ROOT, "allergies", ObjType::Text).expect("text");
    tx.update_text(&allergies, "花粉").expect("text");
    tx.put_object(ROOT, "notes", ObjType::Text).expect("text");
    tx.commit_with(CommitOptions::default().with_time(1));
    let bytes = doc.save();
    (CustomerDoc::load(&bytes).expect("load"), bytes)
}

#[test]
fn two_devices_upgrading_an_old_document_offline_make_the_same_upgrade_and_lose_nothing() {
    let (old, _) = schema_1_doc();
    assert_eq!(file(&old).customer.profile.get(Field::Allergies), "花粉", "old documents read as before");
    let (mut a, mut b) = (old.clone(), old);
    let card = card_form("5", "500", "").validate(entry(1), &Account::default(), TODAY).expect("card");
    let from_a = a.edit_entry(device(2), EntryEdit::AddCard(&card), at(1)).expect("a");
    let p = file(&b).customer.profile;
    let mut form = CustomerForm::from_profile(&p, &|_| None);
    form.set(Field::Occupation, "教师");
    form.set(Field::Tags, "VIP");
    let edited: Profile = form.validate(TODAY, &no_referrer).expect("valid");
    let from_b = b.update_profile(device(3), &b.version(), &edited, at(2)).expect("b");
    assert_eq!(from_a.len(), 2, "upgrade + card");
    assert_eq!(from_b.len(), 2, "upgrade + edit");
    assert_eq!(from_a[0], from_b[0], "the same upgrade change, byte for byte");
    a.apply_changes(from_b.iter().map(|c| c.bytes.as_slice())).expect("apply");
    b.apply_changes(from_a.iter().map(|c| c.bytes.as_slice())).expect("apply");
    for doc in [&a, &b] {
        let f = file(doc);
        assert_eq!(f.cards.len(), 1, "A's card survives B's upgrade");
        assert_eq!(f.customer.profile.get(Field::Occupation), "教师");
        assert_eq!(f.customer.profile.tags().len(), 1);
    }
    assert_eq!(a.heads(), b.heads());
}

#[test]
fn concurrent_tag_changes_all_survive() {
    let doc = customer_doc("钱七");
    let (mut a, mut b) = (doc.clone(), doc);
    let tagged = |doc: &CustomerDoc, tags: &str| {
        let mut form = CustomerForm::from_profile(&file(doc).customer.profile, &|_| None);
        form.set(Field::Tags, tags);
        form.validate(TODAY, &no_referrer).expect("valid")
    };
    let ca = a.update_profile(device(2), &a.version(), &tagged(&a, "VIP"), at(1)).expect("a");
    let cb = b.update_profile(device(3), &b.version(), &tagged(&b, "敏感肌，孕期"), at(1)).expect("b");
    a.apply_changes(cb.iter().map(|c| c.bytes.as_slice())).expect("apply");
    b.apply_changes(ca.iter().map(|c| c.bytes.as_slice())).expect("apply");
    let tags: Vec<String> = file(&a).customer.profile.tags().iter().map(|t| t.as_str().to_owned()).collect();
    assert_eq!(tags, ["VIP", "孕期", "敏感肌"]);
    assert_eq!(file(&b).customer.profile.tags(), file(&a).customer.profile.tags());
}

// ---- export and import ------------------------------------------------------------------------

/// Labels as the app's Chinese table would give them (a few are enough to prove matching).
struct Zh;

impl Labels for Zh {
    fn column(&self, column: Column) -> String {
        match column {
            Column::Number => "编号".into(),
            Column::Field(Field::Name) => "姓名".into(),
            Column::Field(Field::Phone) => "电话".into(),
            Column::Field(Field::Gender) => "性别".into(),
            Column::Prepaid => "储值余额".into(),
            other => format!("列{}", other.key()),
        }
    }
    fn choice(&self, field: Field, key: &str) -> String {
        match (field, key) {
            (Field::Gender, "female") => "女".into(),
            (Field::Gender, "male") => "男".into(),
            (Field::Source, "friend_referral") => "朋友介绍".into(),
            _ => format!("选项{key}"),
        }
    }
}

fn import(
    bytes: &[u8],
    existing: &dyn Fn(&str) -> Option<transfer::Existing>,
) -> Result<transfer::ImportPlan, ImportError> {
    let mut n = 0u8;
    let mut new_id = || {
        n = n.wrapping_add(1);
        [n, 0xee, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, n]
    };
    let labels: [&dyn Labels; 1] = [&Zh];
    let find = |_: &str| Err(FieldProblem::UnknownCustomer);
    let gbk = |bytes: &[u8]| {
        encoding_rs::GB18030.decode_without_bom_handling_and_without_replacement(bytes).map(|t| t.into_owned())
    };
    let mut ctx =
        ImportContext { today: TODAY, labels: &labels, new_id: &mut new_id, existing, find: &find, gbk: &gbk };
    transfer::import_csv(bytes, &mut ctx)
}

#[test]
fn csv_export_then_import_recreates_the_same_customers_balances_and_cards() {
    let salon = generator::salon(11, 120, TODAY);
    let files: Vec<CustomerFile> =
        salon.iter().map(|c| c.build(device(1)).expect("build").0.file().expect("file")).collect();
    let by_id: BTreeMap<String, String> =
        files.iter().map(|f| (f.customer.id.as_str().to_owned(), f.customer.number.to_string())).collect();
    let csv = transfer::export_csv(&files, TODAY, &Zh, &|id| by_id.get(id.as_str()).cloned());
    assert!(csv.starts_with(transfer::BOM), "Excel needs the BOM");
    assert!(csv.contains("编号,姓名,电话,性别"), "titles in the user's language");

    let plan = import(csv.as_bytes(), &|_| None).expect("readable");
    assert_eq!(plan.error_rows(), 0, "{:?}", plan.rows.iter().find(|r| r.result.is_err()));
    assert!(plan.ignored_columns.is_empty());
    let imported = plan.customers().expect("all rows valid");
    assert_eq!(imported.len(), files.len());
    // Rebuild each imported customer as the app does, then compare file by file.
    let new_ids: BTreeMap<String, CustomerId> =
        imported.iter().map(|c| (c.number.as_ref().expect("number kept").to_string(), c.id.clone())).collect();
    for (original, copy) in files.iter().zip(&imported) {
        assert_eq!(copy.number.as_ref(), Some(&original.customer.number));
        let mut expected = original.customer.profile.clone();
        if let Some(referrer) = original.customer.profile.referrer() {
            let number = &by_id[referrer.as_str()];
            let mut form = CustomerForm::from_profile(&expected, &|_| Some(number.clone()));
            form.set(Field::Referrer, number);
            expected =
                form.validate(TODAY, &|n| new_ids.get(n).cloned().ok_or(FieldProblem::UnknownCustomer)).expect("valid");
        }
        assert_eq!(copy.profile, expected, "profile of {}", original.customer.number);
        let account = original.account(TODAY);
        let copied = crate::customer::Account::of(&[], &copy.cards, &copy.money, TODAY);
        assert_eq!(copied.prepaid, account.prepaid.max(Fen::ZERO));
        assert_eq!(copied.debt, account.debt.max(Fen::ZERO));
        let open = |a: &crate::customer::Account| -> Vec<(String, i64, u32, Fen, Option<Date>)> {
            a.open_cards()
                .map(|c| (c.card.item.clone(), c.remaining, c.card.sessions, c.card.price, c.card.expires_on))
                .collect()
        };
        assert_eq!(open(&copied), open(&account), "open cards of {}", original.customer.number);
    }
}

#[test]
fn import_reports_every_bad_cell_by_row_and_imports_nothing_then() {
    let csv = "\u{feff}编号,姓名,电话,性别,列birthday,储值余额,列cards,备注栏\r\n\
               ,王丽,139 0000 1111,女,1990-05-01,500,面部|3/10|2000|2026-01-01|2027-01-01,x\r\n\
               ,,12ab,robot,1990-02-30,-5,面部|11/10|1,\r\n\
               K7QX-0001,李娜,,男,,,,\r\n\
               ,,,,,,,\r\n";
    let existing = |n: &str| {
        (n == "K7QX-0001").then(|| transfer::Existing {
            id: CustomerId::from_random([1; 16]),
            name: "李娜".into(),
            phone: String::new(),
        })
    };
    let plan = import(csv.as_bytes(), &existing).expect("readable");
    assert_eq!(plan.ignored_columns, ["备注栏"]);
    assert_eq!(plan.rows.len(), 3, "the blank row is skipped");
    assert!(plan.rows[0].result.is_ok());
    assert_eq!(plan.rows[0].line, 2);
    let problems = plan.rows[1].result.as_ref().expect_err("row 3 is bad");
    let of = |column| problems.iter().find(|p| p.column == column).map(|p| p.problem.clone());
    assert_eq!(of(Column::Field(Field::Name)), Some(FieldProblem::Required));
    assert_eq!(of(Column::Field(Field::Phone)), Some(FieldProblem::PhoneCharacters));
    assert_eq!(of(Column::Field(Field::Gender)), Some(FieldProblem::UnknownChoice));
    assert_eq!(of(Column::Field(Field::Birthday)), Some(FieldProblem::NotADate));
    assert_eq!(of(Column::Prepaid), Some(FieldProblem::NotAnAmount));
    assert_eq!(of(Column::Cards), Some(FieldProblem::NotInRange { min: 1, max: 500 }));
    let update = plan.rows[2].result.as_ref().expect("an existing number updates her");
    assert!(update.update && update.id == CustomerId::from_random([1; 16]));
    assert!(plan.customers().is_none(), "no partial imports");

    assert_eq!(import(b"\xff\xfe\x00", &|_| None), Err(ImportError::UnknownEncoding));
    assert_eq!(import("电话\r\n139\r\n".as_bytes(), &|_| None), Err(ImportError::NoNameColumn));
    assert_eq!(import("姓名\r\n".as_bytes(), &|_| None), Err(ImportError::Empty));
}

#[test]
fn a_file_saved_by_chinese_excel_reads_back_gbk_dates_and_phones() {
    let text = "姓名,电话,birthday,member_since\r\n\
                王丽,\"=\"\"05718888888\"\"\",1990/4/1,2024/03/05 0:00\r\n\
                李娜,'13912345678,1990.4.1,\r\n\
                赵敏,13800138000,1990年4月1日,\r\n\
                孙悦,1.39123E+10,1990/2/30,\r\n";
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(text);
    assert!(!unmappable && std::str::from_utf8(&gbk).is_err(), "really GBK bytes");
    let plan = import(&gbk, &|_| None).expect("GBK is read");
    let ok = |row: usize| plan.rows[row].result.as_ref().expect("valid row");
    assert_eq!(ok(0).profile.name(), "王丽");
    assert_eq!(ok(0).profile.get(Field::Phone), "05718888888", "the landline keeps its 0");
    assert_eq!(ok(0).profile.get(Field::MemberSince), "2024-03-05");
    assert_eq!(ok(1).profile.get(Field::Phone), "13912345678");
    for row in 0..3 {
        assert_eq!(ok(row).profile.get(Field::Birthday), "1990-04-01", "row {row}");
    }
    let bad = plan.rows[3].result.as_ref().expect_err("mangled");
    let of = |column| bad.iter().find(|p| p.column == column).map(|p| p.problem.clone());
    assert_eq!(of(Column::Field(Field::Phone)), Some(FieldProblem::PhoneScientific), "digits lost: say so");
    assert_eq!(of(Column::Field(Field::Birthday)), Some(FieldProblem::NotADate), "30 February is no day");
}

#[test]
fn an_exported_file_edited_in_a_spreadsheet_updates_the_customers_it_names() {
    let mut doc = customer_doc("王丽");
    let current = file(&doc);
    let number = current.customer.number.to_string();
    let mut profile = current.customer.profile.clone();
    let mut form = CustomerForm::from_profile(&profile, &|_| None);
    form.set(Field::Phone, "05718888888");
    form.set(Field::Hobbies, "瑜伽");
    profile = form.validate(TODAY, &no_referrer).expect("valid");
    doc.update_profile(device(1), &doc.version(), &profile, at(5)).expect("edit");
    let files = vec![file(&doc)];
    let csv = transfer::export_csv(&files, TODAY, &Zh, &|_| None);
    assert!(csv.contains("\"=\"\"05718888888\"\"\""), "the phone is a text formula: {csv}");
    // The owner edits the name column in Excel and keeps only some columns.
    let edited = format!("编号,姓名,电话\r\n{number},王丽娟,\"=\"\"05718888888\"\"\"\r\n");
    let id = files[0].customer.id.clone();
    let existing = |n: &str| {
        (n == number).then(|| transfer::Existing { id: id.clone(), name: "王丽".into(), phone: "05718888888".into() })
    };
    let plan = import(edited.as_bytes(), &existing).expect("readable");
    let row = plan.customers().expect("valid")[0];
    assert!(row.update && row.id == id && plan.updates() == 1);
    let updated = row.profile_over(&files[0].customer.profile);
    assert_eq!(updated.name(), "王丽娟");
    assert_eq!(updated.get(Field::Hobbies), "瑜伽", "columns not in the file stay as they were");
    assert_eq!(updated.get(Field::Phone), "05718888888");
    // Re-importing the full export changes nothing and books no balance twice.
    let again = import(csv.as_bytes(), &existing).expect("readable");
    let row = again.customers().expect("valid")[0];
    assert!(row.update && row.money.is_empty() && row.cards.is_empty());
    assert_eq!(row.profile_over(&files[0].customer.profile), files[0].customer.profile);
    // A short row (Excel drops trailing empty cells) leaves the missing columns alone.
    let short = format!("编号,姓名,电话,列hobbies\r\n{number},王丽\r\n");
    let row = import(short.as_bytes(), &existing).expect("readable").customers().expect("valid")[0].clone();
    assert_eq!(row.profile_over(&files[0].customer.profile).get(Field::Hobbies), "瑜伽");
    // A blank referrer cell (the export leaves it blank when the referring customer is not on
    // the exporting device) keeps the one she has.
    let referred = CustomerForm::with(&[(Field::Name, "王丽"), (Field::Referrer, "K7QX-0009")])
        .validate(TODAY, &|_| Ok(CustomerId::from_random([7; 16])))
        .expect("valid");
    let blank = format!("编号,姓名,列referrer\r\n{number},王丽,\r\n");
    let row = import(blank.as_bytes(), &existing).expect("readable").customers().expect("valid")[0].clone();
    assert_eq!(row.profile_over(&referred).referrer(), Some(CustomerId::from_random([7; 16])));
    // Another salon's file whose number happens to be hers: neither name nor phone is hers.
    let stranger = format!("编号,姓名,电话\r\n{number},赵敏,13700000000\r\n");
    let plan = import(stranger.as_bytes(), &existing).expect("readable");
    let problems = plan.rows[0].result.as_ref().expect_err("not an update of her");
    assert_eq!(problems[0].problem, FieldProblem::NumberOfAnother { name: "王丽".into() });
}

/// List entries of customers with these (name, phone) pairs, numbered K7QX-0001 ….
fn people_list(people: &[(&str, &str)]) -> Vec<CustomerSummary> {
    people
        .iter()
        .enumerate()
        .map(|(i, (name, phone))| {
            let profile = CustomerForm::with(&[(Field::Name, name), (Field::Phone, phone)])
                .validate(TODAY, &no_referrer)
                .expect("valid");
            let n = i as u8 + 1;
            let new = NewCustomer {
                id: CustomerId::from_random([n; 16]),
                number: CustomerNumber::new(DeviceTag::parse("K7QX").expect("tag"), u32::from(n)),
                created_at: at(0),
                profile,
                consents: Vec::new(),
            };
            CustomerSummary::of(&file(&CustomerDoc::create(device(1), &new).expect("create").0), TODAY)
        })
        .collect()
}

#[test]
fn a_referrer_is_found_by_her_number_or_by_a_name_only_one_customer_has() {
    let all = people_list(&[("王丽", ""), ("李娜", ""), ("李娜", "")]);
    let id = |i: usize| CustomerId::parse(&all[i].id).expect("id");
    assert_eq!(crate::customer::find_customer(&all, "k7qx-0002"), Ok(id(1)), "number, any case");
    assert_eq!(crate::customer::find_customer(&all, " 王丽 "), Ok(id(0)), "a name only she has");
    assert_eq!(
        crate::customer::find_customer(&all, "李娜"),
        Err(FieldProblem::AmbiguousCustomer { count: 2 }),
        "two have that name: pick by number"
    );
    assert_eq!(crate::customer::find_customer(&all, "赵敏"), Err(FieldProblem::UnknownCustomer));
    let form = CustomerForm::with(&[(Field::Name, "新客"), (Field::Referrer, "王丽")]);
    let profile =
        form.validate(TODAY, &|typed| crate::customer::find_customer(&all, typed)).expect("a name is accepted");
    assert_eq!(profile.referrer(), Some(id(0)));
}

#[test]
fn a_referrer_whose_file_is_not_on_this_device_yet_is_kept_when_her_file_is_edited() {
    let all = people_list(&[("王丽", "")]);
    let stranger = CustomerId::from_random([9; 16]);
    let form = CustomerForm::with(&[(Field::Name, "新客"), (Field::Referrer, stranger.as_str())]);
    let saved = form.validate(TODAY, &|typed| crate::customer::find_customer(&all, typed)).expect("her id is kept");
    assert_eq!(saved.referrer(), Some(stranger.clone()));
    // Edited on a device that does not know her referrer: the form holds the id, and saving
    // without touching it keeps it.
    let edit =
        CustomerForm::from_profile(&saved, &|id| all.iter().find(|s| s.id == id.as_str()).map(|s| s.number.clone()));
    let again = edit.validate(TODAY, &|typed| crate::customer::find_customer(&all, typed)).expect("saves");
    assert_eq!(again.referrer(), Some(stranger));
}

#[test]
fn customers_sharing_a_phone_number_are_found_with_or_without_the_country_code() {
    let all = people_list(&[("王丽", "139 1234 5678"), ("王丽的女儿", ""), ("李娜", "021-6552-1234")]);
    let same = |phone: &str, except: Option<&str>| -> Vec<String> {
        crate::customer::same_phone(&all, phone, except).into_iter().map(|s| s.name.clone()).collect()
    };
    assert_eq!(same("+86 13912345678", None), ["王丽"]);
    assert_eq!(same("13912345678", Some(all[0].id.as_str())), Vec::<String>::new(), "her own file is not a duplicate");
    assert_eq!(same("02165521234", None), ["李娜"]);
    assert!(same("", None).is_empty() && same("13900000000", None).is_empty());
}

#[test]
fn the_owner_handles_a_class_complaints_first_then_the_most_severe() {
    use crate::care::complaints::{ComplaintForm, for_owner};
    use crate::classify::abc::ValueClass;
    let mut all = people_list(&[("王丽", ""), ("李娜", ""), ("赵敏", "")]);
    for (summary, (severity, on)) in
        all.iter_mut().zip([("low", "2026-11-01"), ("high", "2026-11-20"), ("low", "2026-11-10")])
    {
        let form = ComplaintForm {
            category: "service".into(),
            severity: severity.into(),
            text: "等太久".into(),
            assigned_to: String::new(),
        };
        let mut complaint = form.validate(entry(1), TODAY).expect("complaint");
        complaint.opened_on = on.parse().expect("date");
        summary.open_complaints = vec![complaint];
    }
    // 赵敏 is an A customer: her minor complaint comes before a severe one from a C customer.
    let class_of = |id: &str| if id == all[2].id { ValueClass::A } else { ValueClass::C };
    let order: Vec<&str> = for_owner(&all, class_of).into_iter().map(|(_, s, _)| s.name.as_str()).collect();
    assert_eq!(order, ["赵敏", "李娜", "王丽"]);
}

#[test]
fn the_list_tells_a_contraindication_from_an_allergy() {
    let entry_of = |fields: &[(Field, &str)]| {
        let profile = CustomerForm::with(fields).validate(TODAY, &no_referrer).expect("valid");
        let new = NewCustomer {
            id: CustomerId::from_random([3; 16]),
            number: CustomerNumber::new(DeviceTag::parse("K7QX").expect("tag"), 3),
            created_at: at(0),
            profile,
            consents: Vec::new(),
        };
        CustomerSummary::of(&file(&CustomerDoc::create(device(1), &new).expect("create").0), TODAY)
    };
    let pregnant = entry_of(&[(Field::Name, "孙悦"), (Field::Contraindications, "孕期")]);
    assert!(pregnant.has_health_alert && pregnant.has_contraindication && !pregnant.has_allergy);
    let allergic = entry_of(&[(Field::Name, "周敏"), (Field::Allergies, "果酸")]);
    assert!(allergic.has_allergy && !allergic.has_contraindication);
}

#[test]
fn a_referrer_may_be_another_row_of_the_same_file() {
    let csv = "编号,姓名,列source,列referrer\nAAAA-0001,老客户,,\nAAAA-0002,新客户,朋友介绍,AAAA-0001\n";
    let plan = import(csv.as_bytes(), &|_| None).expect("readable");
    let rows = plan.customers().expect("valid");
    assert_eq!(rows[1].profile.referrer(), Some(rows[0].id.clone()));
    assert_eq!(rows[1].profile.get(Field::Source), "friend_referral", "labels are read back as keys");
}

#[test]
fn a_complete_file_exports_as_json_with_every_entry() {
    let salon = generator::salon(3, 40, TODAY);
    let busy = salon.iter().find(|c| !c.cards.is_empty() && !c.photos.is_empty()).expect("a busy customer");
    let f = busy.build(device(1)).expect("build").0.file().expect("file");
    let json = transfer::export_json(std::slice::from_ref(&f), TODAY);
    let value: serde_json::Value = serde_json::from_str(&json).expect("valid json");
    let one = &value[0];
    assert_eq!(one["number"], f.customer.number.to_string());
    assert_eq!(one["fields"]["name"], f.customer.profile.name());
    assert_eq!(one["visits"].as_array().map(Vec::len), Some(f.visits.len()));
    assert_eq!(one["cards"].as_array().map(Vec::len), Some(f.cards.len()));
    assert_eq!(one["photos"].as_array().map(Vec::len), Some(f.photos.len()));
    assert_eq!(one["consents"].as_array().map(Vec::len), Some(3), "her consents go with her copy");
    assert_eq!(one["consents"][0]["given"], true);
}

// ---- generator -----------------------------------------------------------------------------

#[test]
fn the_generator_is_deterministic_and_heavy_tailed() {
    let one = generator::salon(42, 300, TODAY);
    let two = generator::salon(42, 300, TODAY);
    let heads = |salon: &[generator::GeneratedCustomer]| -> Vec<Vec<[u8; 32]>> {
        salon.iter().map(|c| c.build(device(1)).expect("build").0.heads()).collect()
    };
    assert_eq!(heads(&one), heads(&two), "same seed, same documents");
    assert_ne!(heads(&one), heads(&generator::salon(43, 300, TODAY)));
    let mut spend: Vec<i64> = one
        .iter()
        .map(|c| c.build(device(1)).expect("build").0.file().expect("file").account(TODAY).spent.as_fen())
        .collect();
    spend.sort_unstable_by(|a, b| b.cmp(a));
    let total: i64 = spend.iter().sum();
    let top_fifth: i64 = spend.iter().take(spend.len() / 5).sum();
    assert!(top_fifth * 2 > total, "the top 20% bring more than half the revenue ({top_fifth} of {total})");
}

#[test]
fn outcome_and_psychology_screening_are_kept_and_three_types_need_counselling() {
    use crate::customer::{Outcome, PsychType};
    let counselled: Vec<&str> = PsychType::ALL.iter().filter(|t| t.needs_counselling()).map(|t| t.key()).collect();
    assert_eq!(counselled, ["over_demanding", "obsessive", "defect_fear"]);
    let mut doc = customer_doc("孙悦");
    let mut form = CustomerForm::from_profile(&file(&doc).customer.profile, &|_| None);
    form.set(Field::Outcome, "a");
    form.set(Field::PsychType, "defect_fear");
    let profile = form.validate(TODAY, &no_referrer).expect("valid");
    doc.update_profile(device(1), &doc.version(), &profile, at(1)).expect("edit");
    let read = CustomerDoc::load(&doc.save()).expect("load").file().expect("file").customer.profile;
    assert_eq!((read.outcome(), read.psych_type()), (Outcome::A, PsychType::DefectFear));
    assert!(read.psych_type().needs_counselling());
    form.set(Field::Outcome, "e");
    assert_eq!(
        form.validate(TODAY, &no_referrer).expect_err("bad").get(Field::Outcome),
        Some(&FieldProblem::UnknownChoice)
    );
}

// ---- classification from the file ----------------------------------------------------------

#[test]
fn an_override_set_on_one_tablet_reaches_the_other_and_its_list_entry_and_can_be_lifted() {
    use crate::classify::abc::ValueClass;
    use crate::classify::overrides::{Class, Dimension, OverrideForm};
    use crate::classify::{Policy, run};

    let mut a = customer_doc("王芳");
    let mut b = CustomerDoc::empty();
    b.apply_changes(a.all_changes().iter().map(|c| c.bytes.as_slice())).expect("apply");
    let form = OverrideForm { class: "a".into(), reason: "介绍了五位朋友".into(), until: String::new() };
    let set = form.validate(Dimension::Value, TODAY).expect("valid");
    let changes = a.set_override(device(1), Dimension::Value, Some(&set), at(60)).expect("set");
    b.apply_changes(changes.iter().map(|c| c.bytes.as_slice())).expect("apply");
    assert_eq!(file(&b).overrides, vec![set.clone()]);
    let summary = CustomerSummary::of(&file(&b), TODAY);
    assert_eq!(summary.overrides, vec![set]);
    let policy = Policy::default();
    let classes = run::classify(&[(summary.facts(&policy, TODAY), summary.overrides.clone())], &policy, TODAY);
    assert_eq!(classes.customers[0].effective.get(Dimension::Value), Class::Value(ValueClass::A));
    assert_eq!(classes.customers[0].computed.value, ValueClass::C);

    let lifted = b.set_override(device(2), Dimension::Value, None, at(120)).expect("lift");
    a.apply_changes(lifted.iter().map(|c| c.bytes.as_slice())).expect("apply");
    assert!(file(&a).overrides.is_empty(), "lifted on the other tablet");
}

#[test]
fn the_list_entry_classifies_like_the_file_it_came_from() {
    use crate::classify::{Facts, Policy};
    let policy = Policy::default();
    for customer in generator::salon(3, 60, TODAY) {
        let file = customer.build(device(1)).expect("build").0.file().expect("file");
        let summary = CustomerSummary::of(&file, TODAY);
        assert_eq!(summary.facts(&policy, TODAY), Facts::of(&file, &policy, TODAY));
    }
}

#[test]
fn an_imported_customer_with_old_visits_is_not_in_probation() {
    use crate::classify::{Facts, Policy};
    let mut doc = customer_doc("老客户");
    let mut visit = visit_form(&[], "300", "cash");
    visit.date = "2025-01-10".into();
    let visit = visit.validate(entry(1), &file(&doc).account(TODAY), now()).expect("visit");
    doc.edit_entry(device(1), EntryEdit::AddVisit(&visit), at(10)).expect("add");
    let facts = Facts::of(&file(&doc), &Policy::default(), TODAY);
    assert_eq!(facts.since, date(2025, 1, 10), "her history starts before the file was created");
}

// ---- follow-ups --------------------------------------------------------------------------

#[test]
fn tasks_completed_on_two_tablets_offline_merge_and_a_contact_closes_the_task_it_answers() {
    use crate::care::rules::{CareFacts, CarePolicy, Handover, Reason};
    use crate::care::{ContactForm, TaskState};
    use crate::classify::{Policy, run};

    let mut a = customer_doc("陈静");
    let mut visit = visit_form(&[], "680", "wechat");
    visit.date = "2026-11-23".into();
    visit.products = "玫瑰精华水".into();
    let visit = visit.validate(entry(1), &file(&a).account(TODAY), now()).expect("visit");
    a.edit_entry(device(1), EntryEdit::AddVisit(&visit), at(10)).expect("visit");
    let mut b = CustomerDoc::empty();
    b.apply_changes(a.all_changes().iter().map(|c| c.bytes.as_slice())).expect("apply");

    let open = |doc: &CustomerDoc| {
        let file = file(doc);
        let summary = CustomerSummary::of(&file, TODAY);
        let policy = Policy::default();
        let classes = run::classify(&[(summary.facts(&policy, TODAY), Vec::new())], &policy, TODAY);
        CareFacts::of(&file, TODAY).open(&classes.customers[0].effective, &CarePolicy::default(), &policy, TODAY)
    };
    let tasks = open(&a);
    assert_eq!(tasks, open(&b), "both tablets see the same tasks");
    let ids: Vec<String> = tasks.iter().map(|t| t.id.clone()).collect();
    let next_day = "product-2026-11-23-1@2026-11-24".to_owned();
    let first = ids.iter().find(|id| id.starts_with("first@")).cloned().expect("a first contact");
    assert!(ids.contains(&next_day), "{ids:?}");

    // Offline: A records the call that answers the next-day task and marks the first contact
    // done; B marks the same first contact done and snoozes nothing.
    let form = ContactForm {
        date: "2026-11-24".into(),
        time: "10:30".into(),
        by: "小美".into(),
        channel: "call".into(),
        said: "教她精华水的用法".into(),
        response: "用得很好".into(),
        answers: Some(next_day.clone()),
        ..ContactForm::default()
    };
    let call = form.validate(entry(2), now()).expect("contact");
    let mut from_a = a.put_contact(device(1), &call, at(20)).expect("contact");
    from_a.extend(a.set_task_state(device(1), &first, Some(&TaskState::Done), at(21)).expect("done"));
    let from_b = b.set_task_state(device(2), &first, Some(&TaskState::Done), at(22)).expect("done");
    a.apply_changes(from_b.iter().map(|c| c.bytes.as_slice())).expect("apply");
    b.apply_changes(from_a.iter().map(|c| c.bytes.as_slice())).expect("apply");
    assert_eq!(a.heads(), b.heads());
    assert_eq!(file(&a).contacts, vec![call]);
    assert_eq!(file(&b).task_states.get(&first), Some(&TaskState::Done));
    let left: Vec<String> = open(&b).into_iter().map(|t| t.id).collect();
    assert!(!left.contains(&next_day) && !left.contains(&first), "{left:?}");
    assert_eq!(open(&a), open(&b));
    let summary = CustomerSummary::of(&file(&b), TODAY);
    assert_eq!(summary.care, CareFacts::of(&file(&b), TODAY), "the list entry carries the care facts");

    // A voided contact answers nothing: the task is back.
    let mut voided = file(&a).contacts[0].clone();
    voided.voided = true;
    let undo = a.put_contact(device(1), &voided, at(25)).expect("void");
    b.apply_changes(undo.iter().map(|c| c.bytes.as_slice())).expect("apply");
    assert!(open(&b).iter().any(|t| t.id == next_day));

    // A hand-over assigns her to the new beautician and raises the first contact from her.
    let handover = Handover { on: TODAY, from: String::new(), to: "阿琳".into() };
    let moved = a.hand_over(device(1), &entry(3), &handover, at(30)).expect("hand over");
    b.apply_changes(moved.iter().map(|c| c.bytes.as_slice())).expect("apply");
    assert_eq!(file(&b).customer.profile.beautician(), "阿琳");
    let tasks = open(&b);
    let task = tasks.iter().find(|t| matches!(t.reason, Reason::Handover { .. })).expect("first contact task");
    assert_eq!((task.beautician.as_str(), task.due), ("阿琳", date(2026, 11, 27)));
}

#[test]
fn the_contact_form_names_each_problem() {
    use crate::care::{ContactField, ContactForm};
    let form = ContactForm { date: "2026-11-25".into(), channel: "fax".into(), ..ContactForm::default() };
    let errors = form.validate(entry(1), now()).expect_err("refused");
    assert_eq!(errors.get(ContactField::Date), Some(&FieldProblem::DateInFuture));
    assert_eq!(errors.get(ContactField::Channel), Some(&FieldProblem::UnknownChoice));
    assert_eq!(errors.get(ContactField::By), Some(&FieldProblem::Required));
    assert_eq!(errors.get(ContactField::Said), Some(&FieldProblem::Required));
}

#[test]
fn a_complaint_logged_on_a_phone_is_resolved_on_a_tablet_and_leaves_the_open_list() {
    use crate::care::complaints::{ComplaintAction, ComplaintForm};
    let mut phone = customer_doc("刘敏");
    let mut tablet = CustomerDoc::empty();
    tablet.apply_changes(phone.all_changes().iter().map(|c| c.bytes.as_slice())).expect("apply");
    let form = ComplaintForm {
        category: "service".into(),
        severity: "medium".into(),
        text: "等候超过半小时".into(),
        assigned_to: String::new(),
    };
    let complaint = form.validate(entry(1), TODAY).expect("valid");
    let logged = phone.add_complaint(device(1), &complaint, at(10)).expect("log");
    tablet.apply_changes(logged.iter().map(|c| c.bytes.as_slice())).expect("apply");
    assert_eq!(CustomerSummary::of(&file(&tablet), TODAY).open_complaints, vec![complaint.clone()]);
    let action = ComplaintAction {
        id: entry(2),
        complaint: entry(1),
        on: TODAY,
        by: "店长".into(),
        text: "致歉并调整排班".into(),
        resolves: true,
    };
    let resolved = tablet.add_complaint_action(device(2), &action, at(20)).expect("resolve");
    phone.apply_changes(resolved.iter().map(|c| c.bytes.as_slice())).expect("apply");
    let on_phone = file(&phone);
    assert_eq!(on_phone.complaints.len(), 1);
    assert_eq!(on_phone.complaints[0].resolved_on, Some(TODAY));
    assert!(CustomerSummary::of(&on_phone, TODAY).open_complaints.is_empty());
}

// ---- consents (PIPL art. 29) ------------------------------------------------------------

/// A file opened before consents were recorded: a name, and the allergy from the paper card.
fn legacy_doc() -> CustomerDoc {
    let profile = CustomerForm::with(&[(Field::Name, "郑洁"), (Field::Allergies, "芦荟")])
        .validate(TODAY, &no_referrer)
        .expect("valid");
    let new = NewCustomer {
        id: CustomerId::from_random([5; 16]),
        number: CustomerNumber::new(DeviceTag::parse("K7QX").expect("tag"), 5),
        created_at: at(0),
        profile,
        consents: Vec::new(),
    };
    CustomerDoc::create(device(1), &new).expect("create").0
}

fn photo(n: u8) -> Photo {
    Photo {
        id: entry(n),
        blob: "ab".repeat(32),
        area: BodyArea::Face,
        stage: PhotoStage::Before,
        taken_on: TODAY,
        note: String::new(),
        width: 10,
        height: 10,
        bytes: 100,
        voided: false,
    }
}

fn decide(purpose: Purpose, given: bool, n: u8, seconds: i64) -> ConsentEvent {
    ConsentEvent::new(entry(n), purpose, given, "前台小王", at(seconds)).expect("consent")
}

#[test]
fn a_new_file_with_health_notes_needs_her_health_consent() {
    let profile = CustomerForm::with(&[(Field::Name, "郑洁"), (Field::Allergies, "芦荟")])
        .validate(TODAY, &no_referrer)
        .expect("valid");
    let mut new = NewCustomer {
        id: CustomerId::from_random([5; 16]),
        number: CustomerNumber::new(DeviceTag::parse("K7QX").expect("tag"), 5),
        created_at: at(0),
        profile,
        consents: vec![decide(Purpose::Photos, true, 1, 0)],
    };
    assert_eq!(new.check_consent(), Err(DomainError::NoConsent(Purpose::Health)));
    new.consents.push(decide(Purpose::Health, true, 2, 0));
    assert_eq!(new.check_consent(), Ok(()));
    let (doc, _) = CustomerDoc::create(device(1), &new).expect("create");
    let consents = file(&doc).consents;
    assert!(consents.allows(Purpose::Health) && consents.allows(Purpose::Photos));
    assert_eq!(consents.status(Purpose::Marketing), ConsentStatus::NotRecorded);
    let nameless = NewCustomer {
        profile: CustomerForm::with(&[(Field::Name, "周敏")]).validate(TODAY, &no_referrer).expect("valid"),
        consents: Vec::new(),
        ..new
    };
    assert_eq!(nameless.check_consent(), Ok(()), "no health notes, no health consent needed");
}

#[test]
fn health_notes_are_written_only_with_her_consent_and_a_legacy_file_still_saves_the_rest() {
    let mut doc = legacy_doc();
    let p = file(&doc).customer.profile;
    let occupation = set_field(&p, Field::Occupation, "教师");
    assert!(!doc.update_profile(device(2), &doc.version(), &occupation, at(1)).expect("saves").is_empty());
    let p = file(&doc).customer.profile;
    let allergy = set_field(&p, Field::Allergies, "芦荟、果酸");
    assert_eq!(
        doc.update_profile(device(2), &doc.version(), &allergy, at(2)),
        Err(DomainError::NoConsent(Purpose::Health))
    );
    assert_eq!(file(&doc).customer.profile.get(Field::Allergies), "芦荟", "nothing half-saved");
    let cleared = set_field(&p, Field::Allergies, "");
    assert!(doc.update_profile(device(2), &doc.version(), &cleared, at(3)).is_ok(), "clearing needs no consent");
    doc.record_consent(device(2), &decide(Purpose::Health, true, 1, 4), at(4)).expect("consent");
    let p = file(&doc).customer.profile;
    let allergy = set_field(&p, Field::Allergies, "果酸");
    doc.update_profile(device(2), &doc.version(), &allergy, at(5)).expect("with consent");
    assert_eq!(file(&doc).customer.profile.get(Field::Allergies), "果酸");
}

#[test]
fn the_form_names_each_health_field_written_without_consent() {
    let before = CustomerForm::with(&[(Field::Name, "郑洁")]).validate(TODAY, &no_referrer).expect("valid");
    let after = CustomerForm::with(&[(Field::Name, "郑洁"), (Field::Allergies, "芦荟"), (Field::SubHealth, "失眠")])
        .validate(TODAY, &no_referrer)
        .expect("valid");
    let errors = crate::customer::check_health(Some(&before), &after, false).expect_err("needs consent");
    assert_eq!(errors.get(Field::Allergies), Some(&FieldProblem::NeedsConsent));
    assert_eq!(errors.get(Field::SubHealth), Some(&FieldProblem::NeedsConsent));
    assert_eq!(errors.get(Field::Name), None);
    assert!(crate::customer::check_health(Some(&before), &after, true).is_ok());
    assert!(crate::customer::check_health(Some(&after), &after, false).is_ok(), "unchanged notes need nothing new");
    assert!(crate::customer::check_health(None, &after, false).is_err(), "a new file's notes need it too");
    assert!(crate::customer::check_health(None, &before, false).is_ok());
}

#[test]
fn a_photo_needs_her_photo_consent() {
    let mut doc = legacy_doc();
    assert_eq!(
        doc.edit_entry(device(2), EntryEdit::AddPhoto(&photo(1)), at(1)),
        Err(DomainError::NoConsent(Purpose::Photos))
    );
    doc.record_consent(device(2), &decide(Purpose::Photos, true, 9, 2), at(2)).expect("consent");
    doc.edit_entry(device(2), EntryEdit::AddPhoto(&photo(1)), at(3)).expect("photo");
    assert_eq!(file(&doc).photos.len(), 1);
}

#[test]
fn withdrawing_stops_that_use_at_once_and_is_logged() {
    let mut doc = legacy_doc();
    doc.record_consent(device(2), &decide(Purpose::Health, true, 1, 1), at(1)).expect("health");
    doc.record_consent(device(2), &decide(Purpose::Photos, true, 2, 1), at(1)).expect("photos");
    doc.edit_entry(device(2), EntryEdit::AddPhoto(&photo(3)), at(2)).expect("photo");
    let p = set_field(&file(&doc).customer.profile, Field::MedicalHistory, "高血压");
    doc.update_profile(device(2), &doc.version(), &p, at(3)).expect("history");
    doc.record_consent(device(3), &decide(Purpose::Health, false, 4, 10), at(10)).expect("withdraw health");
    doc.record_consent(device(3), &decide(Purpose::Photos, false, 5, 11), at(11)).expect("withdraw photos");
    let f = file(&doc);
    for field in [Field::Allergies, Field::MedicalHistory] {
        assert_eq!(f.customer.profile.get(field), "", "{field:?} is cleared");
    }
    assert!(f.photos.iter().all(|p| p.voided), "her photos are no longer shown");
    assert!(matches!(f.consents.status(Purpose::Health), ConsentStatus::Withdrawn(e) if e.by == "前台小王"));
    assert_eq!(f.consents.events().len(), 4, "giving and withdrawing are both kept");
    assert_eq!(
        doc.edit_entry(device(2), EntryEdit::AddPhoto(&photo(6)), at(12)),
        Err(DomainError::NoConsent(Purpose::Photos))
    );
}

#[test]
fn consents_decided_on_two_offline_tablets_merge_and_the_later_decision_counts() {
    let doc = legacy_doc();
    let (mut a, mut b) = (doc.clone(), doc);
    let ca = a.record_consent(device(2), &decide(Purpose::Marketing, true, 1, 5), at(5)).expect("a");
    let cb = b.record_consent(device(3), &decide(Purpose::Marketing, false, 2, 9), at(9)).expect("b");
    a.apply_changes(cb.iter().map(|c| c.bytes.as_slice())).expect("apply");
    b.apply_changes(ca.iter().map(|c| c.bytes.as_slice())).expect("apply");
    for doc in [&a, &b] {
        let consents = file(doc).consents;
        assert_eq!(consents.events().len(), 2);
        assert!(consents.refuses(Purpose::Marketing), "the later decision, a withdrawal, counts on both");
    }
}

#[test]
fn who_recorded_a_consent_is_required() {
    assert_eq!(ConsentEvent::new(entry(1), Purpose::Health, true, "  ", at(0)), Err(FieldProblem::Required));
    assert_eq!(
        ConsentEvent::new(entry(1), Purpose::Health, true, &"王".repeat(41), at(0)),
        Err(FieldProblem::TooLong { max: 40 })
    );
}

fn set_field(p: &Profile, field: Field, value: &str) -> Profile {
    let mut form = CustomerForm::from_profile(p, &|_| None);
    form.set(field, value);
    form.validate(TODAY, &no_referrer).expect("valid")
}

#[test]
fn a_first_release_file_records_and_withdraws_consent_and_clears_its_health_notes() {
    let (mut old, _) = schema_1_doc();
    old.record_consent(device(2), &decide(Purpose::Health, true, 1, 1), at(1)).expect("given on an old file");
    assert!(old.consents().allows(Purpose::Health));
    let mut other = schema_1_doc().0;
    let changes = other.record_consent(device(3), &decide(Purpose::Health, false, 2, 2), at(2)).expect("withdrawn");
    assert_eq!(file(&other).customer.profile.get(Field::Allergies), "", "withdrawing cleared the old file's allergy");
    assert!(other.consents().refuses(Purpose::Health));
    old.apply_changes(changes.iter().map(|c| c.bytes.as_slice())).expect("merge");
    assert!(old.consents().refuses(Purpose::Health), "the later decision counts");
    assert_eq!(file(&old).customer.profile.get(Field::Allergies), "");
}
