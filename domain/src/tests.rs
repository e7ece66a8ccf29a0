//! Native tests of the domain rules: validation, documents and merging, search, the wire
//! format and the sync state machine.

use jiff::Timestamp;
use jiff::civil::{Date, date};
use proptest::prelude::*;

use crate::FieldProblem;
use crate::blob::BlobHash;
use crate::customer::{
    Birthday, Book, CustomerDoc, CustomerForm, CustomerNumber, CustomerSummary, Field, Gender, Name, NewCustomer,
    Phone, Profile, SearchQuery, limits, search,
};
use crate::ids::{CustomerId, DeviceId, DeviceTag, DocId, SalonId};
use crate::sync::{Backoff, Effect, Ended, Outgoing, PageStored, Phase, Retry, SyncClient};
use crate::wire::{
    ClientMsg, Credential, ErrorCode, FrameProblem, PROTOCOL_VERSION, Receipt, SeqChange, ServerMsg, WireChange,
};

const TODAY: Date = date(2026, 11, 24);

fn device(n: u8) -> DeviceId {
    DeviceId::from_random([n; 16])
}

fn at(seconds: i64) -> Timestamp {
    Timestamp::from_second(1_790_000_000 + seconds).expect("in range")
}

fn no_referrer(_: &str) -> Result<CustomerId, crate::FieldProblem> {
    Err(crate::FieldProblem::UnknownCustomer)
}

fn form(name: &str) -> CustomerForm {
    CustomerForm::with(&[(Field::Name, name)])
}

fn profile(name: &str) -> Profile {
    form(name).validate(TODAY, &no_referrer).expect("valid")
}

/// `p` with one field changed, through the form as a person would change it.
fn set(p: &Profile, field: Field, value: &str) -> Profile {
    let mut form = CustomerForm::from_profile(p, &|_| None);
    form.set(field, value);
    form.validate(TODAY, &no_referrer).expect("valid")
}

fn new_customer(profile: Profile) -> NewCustomer {
    NewCustomer {
        id: CustomerId::from_random([7; 16]),
        number: CustomerNumber::new(DeviceTag::parse("K7QX").expect("tag"), 12),
        created_at: at(0),
        profile,
        consents: crate::customer::Purpose::ALL
            .into_iter()
            .enumerate()
            .map(|(i, p)| {
                crate::customer::ConsentEvent::new(
                    crate::customer::EntryId::from_random([200 + i as u8; 16]),
                    p,
                    true,
                    "小美",
                    at(0),
                )
                .expect("consent")
            })
            .collect(),
    }
}

// ---- field validation -------------------------------------------------------------------

#[track_caller]
fn check_phone(raw: &str, expected: Result<&str, FieldProblem>) {
    assert_eq!(Phone::parse(raw).as_ref().map(Phone::as_str).map_err(Clone::clone), expected, "input {raw:?}");
}

#[test]
fn phone_accepts_digits_with_separators_and_country_code() {
    check_phone("13800138000", Ok("13800138000"));
    check_phone(" 138-0013 8000 ", Ok("13800138000"));
    check_phone("+86 138 0013 8000", Ok("+8613800138000"));
    check_phone("(010) 6552.1234", Ok("01065521234"));
    check_phone("12345", Ok("12345"));
    check_phone("123456789012345", Ok("123456789012345"));
}

#[test]
fn phone_rejects_letters_inner_plus_and_bad_lengths() {
    let length = FieldProblem::PhoneLength { min: 5, max: 15 };
    check_phone("138OO138000", Err(FieldProblem::PhoneCharacters));
    check_phone("86+13800138000", Err(FieldProblem::PhoneCharacters));
    check_phone("１３８００１３８０００", Err(FieldProblem::PhoneCharacters));
    check_phone("1234", Err(length.clone()));
    check_phone("1234567890123456", Err(length.clone()));
    check_phone("+", Err(length));
}

#[test]
fn phones_display_in_the_groups_people_read_aloud() {
    let shown = |raw: &str| Phone::parse(raw).expect("valid").display();
    assert_eq!(shown("13912345678"), "139 1234 5678");
    assert_eq!(shown("+86 13912345678"), "+86 139 1234 5678");
    assert_eq!(shown("021-65521234"), "021 6552 1234");
    assert_eq!(shown("010 6552 1234"), "010 6552 1234");
    assert_eq!(shown("0571-88889999"), "0571 8888 9999");
    assert_eq!(shown("0755-1234567"), "0755 123 4567");
    assert_eq!(shown("+14155550123"), "+14155550123", "other countries as stored");
    assert_eq!(shown("12345"), "12345");
}

#[test]
fn name_is_trimmed_required_and_bounded_in_characters() {
    assert_eq!(Name::parse("  张三 ").map(|n| n.as_str().to_owned()), Ok("张三".to_owned()));
    assert_eq!(Name::parse("   "), Err(FieldProblem::Required));
    let forty = "美".repeat(limits::NAME);
    assert!(Name::parse(&forty).is_ok(), "40 Chinese characters are 120 bytes but within the limit");
    assert_eq!(Name::parse(&format!("{forty}美")), Err(FieldProblem::TooLong { max: limits::NAME }));
}

#[test]
fn birthday_must_be_a_real_past_date() {
    assert_eq!(Birthday::parse("1990-02-28", TODAY).map(Birthday::date), Ok(date(1990, 2, 28)));
    assert_eq!(Birthday::parse("2026-11-24", TODAY).map(Birthday::date), Ok(TODAY), "today is allowed");
    assert_eq!(Birthday::parse("2026-11-25", TODAY), Err(FieldProblem::DateInFuture));
    assert_eq!(Birthday::parse("1899-12-31", TODAY), Err(FieldProblem::DateTooEarly { earliest_year: 1900 }));
    for bad in ["1990-02-30", "1990-13-01", "90-01-01", "1990/01/01", "19900101", "yesterday", "1990-1-1"] {
        assert_eq!(Birthday::parse(bad, TODAY), Err(FieldProblem::NotADate), "input {bad:?}");
    }
}

#[test]
fn age_counts_completed_years() {
    let born = Birthday::parse("2000-02-29", TODAY).expect("leap day");
    assert_eq!(born.age_on(date(2026, 2, 28)), 25);
    assert_eq!(born.age_on(date(2026, 3, 1)), 26);
    assert_eq!(born.age_on(date(2000, 2, 29)), 0);
}

#[test]
fn form_reports_every_bad_field_at_once() {
    let long_notes = "x".repeat(limits::NOTES + 1);
    let bad = CustomerForm::with(&[
        (Field::Name, " "),
        (Field::Phone, "abc"),
        (Field::Birthday, "2030-01-01"),
        (Field::Gender, "robot"),
        (Field::Notes, &long_notes),
    ]);
    let errors = bad.validate(TODAY, &no_referrer).expect_err("invalid");
    assert_eq!(errors.get(Field::Name), Some(&FieldProblem::Required));
    assert_eq!(errors.get(Field::Phone), Some(&FieldProblem::PhoneCharacters));
    assert_eq!(errors.get(Field::Birthday), Some(&FieldProblem::DateInFuture));
    assert_eq!(errors.get(Field::Gender), Some(&FieldProblem::UnknownChoice));
    assert_eq!(errors.get(Field::Notes), Some(&FieldProblem::TooLong { max: limits::NOTES }));
    assert_eq!(errors.get(Field::Allergies), None);
    assert_eq!(errors.iter().count(), 5);
}

#[test]
fn form_round_trips_through_a_profile() {
    let filled = CustomerForm::with(&[
        (Field::Name, "王丽"),
        (Field::Gender, "female"),
        (Field::Phone, "+86 139 0000 1111"),
        (Field::Birthday, "1988-06-01"),
        (Field::Source, "friend_referral"),
        (Field::Allergies, "果酸过敏"),
        (Field::Notes, "喜欢安静"),
        (Field::Beautician, "小李"),
    ]);
    let profile = filled.validate(TODAY, &no_referrer).expect("valid");
    assert_eq!(profile.gender(), Gender::Female);
    assert_eq!(profile.get(Field::Source), "friend_referral");
    assert!(profile.has_health_alert());
    let again = CustomerForm::from_profile(&profile, &|_| None);
    assert_eq!(again.get(Field::Phone), "+8613900001111", "the form shows the normalised number");
    assert_eq!(again.validate(TODAY, &no_referrer), Ok(profile));
}

#[test]
fn optional_fields_may_be_blank() {
    let profile = profile("李四");
    assert_eq!(profile.phone(), None);
    assert_eq!(profile.birthday(), None);
    assert!(!profile.has_health_alert());
}

// ---- ids and numbers ----------------------------------------------------------------------

#[test]
fn ids_parse_only_their_own_shape() {
    let id = CustomerId::from_random([0xab; 16]);
    assert_eq!(CustomerId::parse(id.as_str()), Ok(id.clone()));
    assert!(CustomerId::parse("ABABABABABABABABABABABABABABABAB").is_err(), "upper case");
    assert!(CustomerId::parse("abab").is_err());
    assert_eq!(id.doc_id().customer(), Some(id));
    assert!(DocId::parse("").is_err());
    assert!(DocId::parse(&"a".repeat(65)).is_err());
    assert!(DocId::parse("c-../../etc").is_err());
    assert!(SalonId::parse("demo-salon").is_ok());
    assert!(SalonId::parse("Demo").is_err());
    let dev = device(3);
    assert_eq!(DeviceId::parse(&dev.to_hex()), Ok(dev));
}

#[test]
fn customer_numbers_print_and_parse() {
    let tag = DeviceTag::from_random([0, 31, 32, 200]);
    assert_eq!(tag.as_str(), "0Z08");
    let number = CustomerNumber::new(tag.clone(), 7);
    assert_eq!(number.to_string(), "0Z08-0007");
    assert_eq!(CustomerNumber::parse("0Z08-0007"), Ok(number));
    assert_eq!(CustomerNumber::parse("0Z08-12345").map(|n| n.seq()), Ok(12345));
    for bad in ["0Z08", "0Z08-", "0Z0I-0001", "0Z08-00x1", "-0001"] {
        assert!(CustomerNumber::parse(bad).is_err(), "input {bad:?}");
    }
}

#[test]
fn numbers_from_different_devices_never_collide() {
    let a = DeviceTag::parse("AAAA").expect("tag");
    let b = DeviceTag::parse("BBBB").expect("tag");
    let from_a: Vec<String> = (1..=50).map(|n| CustomerNumber::new(a.clone(), n).to_string()).collect();
    let from_b: Vec<String> = (1..=50).map(|n| CustomerNumber::new(b.clone(), n).to_string()).collect();
    assert!(from_a.iter().all(|n| !from_b.contains(n)));
}

// ---- documents ------------------------------------------------------------------------------

#[test]
fn a_created_document_reads_back_and_survives_save_and_load() {
    let p = set(&profile("张三"), Field::Allergies, "青霉素");
    let new = new_customer(p.clone());
    let (doc, change) = CustomerDoc::create(device(1), &new).expect("create");
    let customer = doc.customer().expect("customer");
    assert_eq!(customer.profile, p);
    assert_eq!(customer.number.to_string(), "K7QX-0012");
    assert_eq!(customer.created_at, at(0));

    let loaded = CustomerDoc::load(&doc.save()).expect("load");
    assert_eq!(loaded.customer(), Ok(customer.clone()));

    // A device that only received the change holds the same customer.
    let mut elsewhere = CustomerDoc::empty();
    elsewhere.apply_changes([change.bytes.as_slice()]).expect("apply");
    assert_eq!(elsewhere.customer(), Ok(customer));
}

#[test]
fn an_edit_writes_only_what_changed() {
    let (mut doc, _) = CustomerDoc::create(device(1), &new_customer(profile("张三"))).expect("create");
    let same = doc.customer().expect("customer").profile;
    assert_eq!(doc.update_profile(device(1), &doc.version(), &same, at(5)), Ok(vec![]), "no change, no change record");

    let phone_changed = set(&same, Field::Phone, "13800138000");
    let change =
        doc.update_profile(device(1), &doc.version(), &phone_changed, at(6)).expect("edit").pop().expect("a change");
    assert!(change.bytes.len() < 200, "a one-field edit stays small ({} bytes)", change.bytes.len());
}

#[test]
fn concurrent_edits_of_different_fields_both_survive() {
    let (base, _) = CustomerDoc::create(device(1), &new_customer(profile("张三"))).expect("create");
    let mut tablet_a = base.clone();
    let mut tablet_b = base.clone();
    let start = base.customer().expect("customer").profile;

    let with_phone = set(&start, Field::Phone, "13900000000");
    let a = tablet_a
        .update_profile(device(2), &tablet_a.version(), &with_phone, at(10))
        .expect("edit")
        .pop()
        .expect("change");

    let with_notes = set(&start, Field::Notes, "下次想试试眼部护理");
    let b = tablet_b
        .update_profile(device(3), &tablet_b.version(), &with_notes, at(11))
        .expect("edit")
        .pop()
        .expect("change");

    tablet_a.apply_changes([b.bytes.as_slice()]).expect("apply");
    tablet_b.apply_changes([a.bytes.as_slice()]).expect("apply");
    let merged = tablet_a.customer().expect("customer").profile;
    assert_eq!(merged.get(Field::Phone), "13900000000");
    assert_eq!(merged.get(Field::Notes), "下次想试试眼部护理");
    assert_eq!(tablet_b.customer().expect("customer").profile, merged);
}

#[test]
fn a_form_saved_after_a_remote_edit_arrived_keeps_that_edit() {
    let p = set(&profile("张三"), Field::Notes, "皮肤偏干。");
    let (mut tablet, _) = CustomerDoc::create(device(1), &new_customer(p.clone())).expect("create");
    let mut phone = tablet.clone();

    // The beautician opens the edit form on the tablet...
    let opened_at = tablet.version();
    let in_form = tablet.customer().expect("customer").profile;

    // ...meanwhile the owner's phone edits the name and the notes, and that syncs in.
    let remote = set(&set(&p, Field::Name, "张三丰"), Field::Notes, "皮肤偏干。对花粉敏感。");
    let change =
        phone.update_profile(device(2), &phone.version(), &remote, at(1)).expect("edit").pop().expect("change");
    tablet.apply_changes([change.bytes.as_slice()]).expect("apply");

    // The form still shows the old name and notes; she changes the phone and adds to the notes.
    let in_form = set(&set(&in_form, Field::Phone, "13700000000"), Field::Notes, "皮肤偏干。 做了补水。");
    let saved = tablet.update_profile(device(1), &opened_at, &in_form, at(2)).expect("edit").pop().expect("change");

    let merged = tablet.customer().expect("customer").profile;
    assert_eq!(merged.name(), "张三丰", "the untouched name keeps the remote edit");
    assert_eq!(merged.get(Field::Phone), "13700000000");
    assert_eq!(merged.get(Field::Notes), "皮肤偏干。对花粉敏感。 做了补水。", "both notes edits survive");
    phone.apply_changes([saved.bytes.as_slice()]).expect("apply");
    assert_eq!(phone.customer().expect("customer").profile, merged);
}

#[test]
fn two_saves_from_one_device_on_an_old_version_do_not_break_its_change_sequence() {
    let (mut doc, _) = CustomerDoc::create(device(1), &new_customer(profile("张三"))).expect("create");
    let opened = doc.version();
    let first = set(&doc.customer().expect("customer").profile, Field::Beautician, "小李");
    doc.update_profile(device(1), &opened, &first, at(1)).expect("edit").pop().expect("change");
    let second = set(&first, Field::Notes, "第二个标签页");
    doc.update_profile(device(1), &opened, &second, at(2)).expect("edit").pop().expect("change");
    let now = doc.customer().expect("customer").profile;
    assert_eq!(now.beautician(), "小李");
    assert_eq!(now.get(Field::Notes), "第二个标签页");
    assert!(CustomerDoc::load(&doc.save()).is_ok());
}

#[test]
fn concurrent_text_edits_interleave_instead_of_replacing() {
    let p = set(&profile("张三"), Field::Notes, "皮肤偏干。");
    let (base, _) = CustomerDoc::create(device(1), &new_customer(p.clone())).expect("create");
    let (mut a, mut b) = (base.clone(), base);
    let pa = set(&p, Field::Notes, "皮肤偏干。喜欢玫瑰精油。");
    let pb = set(&p, Field::Notes, "夏天 皮肤偏干。");
    let ca = a.update_profile(device(2), &a.version(), &pa, at(1)).expect("edit").pop().expect("change");
    let cb = b.update_profile(device(3), &b.version(), &pb, at(1)).expect("edit").pop().expect("change");
    a.apply_changes([cb.bytes.as_slice()]).expect("apply");
    b.apply_changes([ca.bytes.as_slice()]).expect("apply");
    let notes = a.customer().expect("customer").profile.get(Field::Notes).to_owned();
    assert_eq!(notes, "夏天 皮肤偏干。喜欢玫瑰精油。");
    assert_eq!(b.customer().expect("customer").profile.get(Field::Notes), notes);
}

#[test]
fn out_of_order_changes_wait_for_their_dependencies_even_across_save_and_load() {
    let (mut origin, create) = CustomerDoc::create(device(1), &new_customer(profile("张三"))).expect("create");
    let p = set(&origin.customer().expect("customer").profile, Field::Notes, "第二次");
    let edit = origin.update_profile(device(1), &origin.version(), &p, at(1)).expect("edit").pop().expect("change");

    let mut replica = CustomerDoc::empty();
    replica.apply_changes([edit.bytes.as_slice()]).expect("apply");
    assert!(replica.is_waiting_for_changes());
    assert!(replica.customer().is_err(), "nothing to show before the creating change arrives");
    let mut replica = CustomerDoc::load(&replica.save()).expect("load keeps the waiting change");
    replica.apply_changes([create.bytes.as_slice(), create.bytes.as_slice()]).expect("duplicates are harmless");
    assert!(!replica.is_waiting_for_changes());
    assert_eq!(replica.customer().expect("customer").profile.get(Field::Notes), "第二次");
    assert_eq!(replica.heads(), origin.heads());
}

#[test]
fn garbage_change_bytes_are_an_error_not_a_panic() {
    let mut doc = CustomerDoc::empty();
    assert!(matches!(doc.apply_changes([&b"not a change"[..]]), Err(crate::DomainError::Corrupt(_))));
    assert!(CustomerDoc::load(b"\x00\x01garbage").is_err());
}

// ---- convergence property -----------------------------------------------------------------

#[derive(Debug, Clone)]
enum Edit {
    Name(String),
    Phone(Option<String>),
    Notes(String),
    Allergies(String),
    Gender(Gender),
    Beautician(String),
    Tags(String),
}

fn edit_strategy() -> impl Strategy<Value = Edit> {
    let text = "[张王李美容护理 a-c。]{0,12}";
    prop_oneof![
        "[张王李赵][丽芳娜]{1,2}".prop_map(Edit::Name),
        proptest::option::of("1[3-9][0-9]{9}").prop_map(Edit::Phone),
        text.prop_map(Edit::Notes),
        text.prop_map(Edit::Allergies),
        proptest::sample::select(Gender::ALL.to_vec()).prop_map(Edit::Gender),
        "[小大][李王]{0,1}".prop_map(Edit::Beautician),
        "(VIP|敏感肌|孕期)?( (VIP|学生))?".prop_map(Edit::Tags),
    ]
}

fn apply_edit(doc: &mut CustomerDoc, dev: DeviceId, edit: &Edit, time: i64) -> Option<Vec<u8>> {
    let p = doc.customer().expect("customer").profile;
    let p = match edit {
        Edit::Name(name) => set(&p, Field::Name, name),
        Edit::Phone(phone) => set(&p, Field::Phone, phone.as_deref().unwrap_or("")),
        Edit::Notes(notes) => set(&p, Field::Notes, notes),
        Edit::Allergies(allergies) => set(&p, Field::Allergies, allergies),
        Edit::Gender(gender) => set(&p, Field::Gender, gender.key()),
        Edit::Beautician(name) => set(&p, Field::Beautician, name),
        Edit::Tags(tags) => set(&p, Field::Tags, tags),
    };
    let mut changes = doc.update_profile(dev, &doc.version(), &p, at(time)).expect("edit");
    assert!(changes.len() <= 1, "a schema 2 document needs no upgrade");
    changes.pop().map(|c| c.bytes)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Two tablets edit the same customer offline, then receive each other's changes in any
    /// order, split into any batches and with duplicates: both end with identical files.
    #[test]
    fn replicas_converge_whatever_the_delivery_order(
        edits_a in proptest::collection::vec(edit_strategy(), 0..8),
        edits_b in proptest::collection::vec(edit_strategy(), 0..8),
        order_seed in any::<u64>(),
        duplicate in any::<bool>(),
    ) {
        let (base, _) = CustomerDoc::create(device(1), &new_customer(profile("张三"))).expect("create");
        let (mut a, mut b) = (base.clone(), base);
        let changes_a: Vec<Vec<u8>> = edits_a.iter().enumerate().filter_map(|(i, e)| apply_edit(&mut a, device(2), e, i as i64)).collect();
        let changes_b: Vec<Vec<u8>> = edits_b.iter().enumerate().filter_map(|(i, e)| apply_edit(&mut b, device(3), e, i as i64)).collect();

        let deliver = |doc: &mut CustomerDoc, changes: &[Vec<u8>]| {
            let mut shuffled: Vec<&Vec<u8>> = changes.iter().collect();
            if duplicate { shuffled.extend(changes.iter()); }
            // A deterministic shuffle driven by the generated seed.
            let mut seed = order_seed | 1;
            for i in (1..shuffled.len()).rev() {
                seed ^= seed << 13; seed ^= seed >> 7; seed ^= seed << 17;
                shuffled.swap(i, (seed % (i as u64 + 1)) as usize);
            }
            // Deliver one change at a time, saving and loading between deliveries as a
            // device does when it stores every page.
            for change in shuffled {
                doc.apply_changes([change.as_slice()]).expect("apply");
                *doc = CustomerDoc::load(&doc.save()).expect("load");
            }
        };
        deliver(&mut a, &changes_b);
        deliver(&mut b, &changes_a);

        prop_assert!(!a.is_waiting_for_changes());
        prop_assert_eq!(a.heads(), b.heads());
        prop_assert_eq!(a.customer().expect("customer"), b.customer().expect("customer"));
    }
}

// ---- search --------------------------------------------------------------------------------

fn summary(name: &str, phone: &str, number: &str, created: i64) -> CustomerSummary {
    let mut p = profile(name);
    if !phone.is_empty() {
        p = set(&p, Field::Phone, phone);
    }
    let new = NewCustomer {
        id: CustomerId::from_random([created as u8; 16]),
        number: CustomerNumber::parse(number).expect("number"),
        created_at: at(created),
        profile: p,
        consents: Vec::new(),
    };
    let (doc, _) = CustomerDoc::create(device(1), &new).expect("create");
    CustomerSummary::of(&doc.file().expect("file"), TODAY)
}

#[track_caller]
fn check_search(query: &str, expected: &[&str]) {
    let all = [
        summary("张三", "13800138000", "AAAA-0001", 1),
        summary("张小美", "+8613912345678", "AAAA-0002", 2),
        summary("Lily Wang", "01065521234", "BBBB-0001", 3),
        summary("李四", "", "BBBB-0002", 4),
    ];
    let names: Vec<&str> =
        search(&all, Book::All, &SearchQuery::parse(query), TODAY).iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, expected, "query {query:?}");
}

#[test]
fn search_by_name_phone_and_number() {
    check_search("", &["李四", "Lily Wang", "张小美", "张三"]);
    check_search("张", &["张小美", "张三"]);
    check_search("  小美 ", &["张小美"]);
    check_search("lily", &["Lily Wang"]);
    check_search("8000", &["张三"]);
    check_search("139 1234", &["张小美"]);
    check_search("+86139", &["张小美"]);
    check_search("bbbb-0002", &["李四"]);
    check_search("王五", &[]);
}

// ---- wire ----------------------------------------------------------------------------------

/// A change of the sealed shape with `len` bytes of content (none at all for 0) and its
/// honest hash.
fn wire_change(doc: &str, n: u8, len: usize) -> WireChange {
    let bytes = match len {
        0 => Vec::new(),
        _ => [&crate::crypto::MAGIC[..], &vec![n; len + crate::crypto::OVERHEAD_BYTES]].concat(),
    };
    WireChange { doc: DocId::parse(doc).expect("doc id"), hash: *BlobHash::of(&bytes).as_bytes(), bytes }
}

#[test]
fn frames_round_trip() {
    let msgs = [
        ClientMsg::Hello {
            salon: SalonId::parse("demo").expect("salon"),
            credential: Credential::Invite { invite: "setup".into(), token: "secret".into(), public: [5; 32] },
            at: None,
            pushed: Some(Receipt { seq: 4, hash: [2; 32] }),
        },
        ClientMsg::Invite { hash: [3; 32], role: crate::staff::Role::FrontDesk, name: "前台 iPad".into() },
        ClientMsg::Revoke {
            device: 7,
            rotation: Some(crate::wire::Rotation {
                epoch: 2,
                key_id: [6; 16],
                grants: vec![crate::wire::Grant { device: 3, sealed: vec![1; 84] }],
            }),
        },
        ClientMsg::Push { batch: 9, changes: vec![wire_change("c-1", 1, 10), wire_change("c-2", 2, 3)] },
        ClientMsg::Pull { since: 41, limit: 100 },
        ClientMsg::PairOffer { rendezvous: "K7QX".into(), msg: vec![9; 33] },
        ClientMsg::PairSeal { rendezvous: "K7QX".into(), sealed: vec![8; 300] },
    ];
    for msg in msgs {
        let frame = msg.encode();
        assert_eq!(frame[0], PROTOCOL_VERSION);
        assert_eq!(ClientMsg::decode(&frame), Ok(msg));
    }
    let page = ServerMsg::Page {
        changes: vec![SeqChange { seq: 5, doc: DocId::parse("c-1").expect("id"), hash: [1; 32], bytes: vec![1, 2] }],
        head: 7,
    };
    assert_eq!(ServerMsg::decode(&page.encode()), Ok(page));
    let answer = ServerMsg::PairAnswer { rendezvous: "K7QX".into(), msg: vec![1; 33] };
    assert_eq!(ServerMsg::decode(&answer.encode()), Ok(answer));
    let reply = crate::wire::PairReply { offer: vec![2; 33], sealed: vec![3; 200] };
    assert_eq!(crate::wire::PairReply::decode(&reply.encode()), Ok(reply));
}

#[test]
fn every_message_but_the_sealed_invite_is_answered_so_only_those_start_the_liveness_clock() {
    let unanswered = ClientMsg::PairSeal { rendezvous: "K7QX".into(), sealed: vec![1; 40] };
    assert!(!unanswered.expects_answer());
    for answered in [
        ClientMsg::PairOffer { rendezvous: "K7QX".into(), msg: vec![1; 33] },
        ClientMsg::Pull { since: 0, limit: 10 },
        ClientMsg::ListDevices,
        ClientMsg::GetBlob { hash: [1; 32] },
    ] {
        assert!(answered.expects_answer(), "{answered:?}");
    }
}

#[test]
fn pairing_messages_out_of_shape_are_refused() {
    let offer = |rendezvous: &str, msg: Vec<u8>| ClientMsg::PairOffer { rendezvous: rendezvous.into(), msg }.encode();
    assert_eq!(ClientMsg::decode(&offer("K7Q", vec![1; 33])), Err(FrameProblem::Malformed), "three characters");
    assert_eq!(ClientMsg::decode(&offer("k7qx", vec![1; 33])), Err(FrameProblem::Malformed), "lower case");
    assert_eq!(ClientMsg::decode(&offer("K7QX", Vec::new())), Err(FrameProblem::Malformed), "no message");
    assert_eq!(ClientMsg::decode(&offer("K7QX", vec![1; 65])), Err(FrameProblem::TooLarge));
    let seal = ClientMsg::PairSeal { rendezvous: "K7QX".into(), sealed: vec![1; (16 << 10) + 1] };
    assert_eq!(ClientMsg::decode(&seal.encode()), Err(FrameProblem::TooLarge));
    let seal = ClientMsg::PairSeal { rendezvous: "../x".into(), sealed: vec![1; 10] };
    assert_eq!(ClientMsg::decode(&seal.encode()), Err(FrameProblem::Malformed));
    let reply = crate::wire::PairReply { offer: vec![2; 65], sealed: Vec::new() };
    assert_eq!(crate::wire::PairReply::decode(&reply.encode()), Err(FrameProblem::TooLarge));
    assert_eq!(crate::wire::PairReply::decode(b"Not Found"), Err(FrameProblem::UnsupportedVersion));
}

#[test]
fn bad_frames_are_refused_with_a_reason() {
    let hello = ClientMsg::Pull { since: 1, limit: 1 }.encode();
    assert_eq!(ClientMsg::decode(&[]), Err(FrameProblem::Empty));
    assert_eq!(ClientMsg::decode(&[PROTOCOL_VERSION]), Err(FrameProblem::Malformed));
    assert_eq!(
        ClientMsg::decode(&[&[PROTOCOL_VERSION][..], b"garbage garbage"].concat()),
        Err(FrameProblem::Malformed)
    );
    let mut wrong_version = hello.clone();
    wrong_version[0] = 99;
    assert_eq!(ClientMsg::decode(&wrong_version), Err(FrameProblem::UnsupportedVersion));
    let mut trailing = hello;
    trailing.push(0);
    assert_eq!(ClientMsg::decode(&trailing), Err(FrameProblem::Malformed));
    let mut huge = vec![PROTOCOL_VERSION];
    huge.resize(crate::wire::limits::MAX_FRAME_BYTES + 1, 0);
    assert_eq!(ClientMsg::decode(&huge), Err(FrameProblem::TooLarge));
    let too_many = ClientMsg::Push { batch: 1, changes: (0..201).map(|i| wire_change("c-1", i as u8, 1)).collect() };
    assert_eq!(ClientMsg::decode(&too_many.encode()), Err(FrameProblem::TooLarge));
    let empty_change = ClientMsg::Push { batch: 1, changes: vec![wire_change("c-1", 1, 0)] };
    assert_eq!(ClientMsg::decode(&empty_change.encode()), Err(FrameProblem::Malformed));
    // A doc id that breaks DocId's rules does not decode either.
    let mut bad_doc = ClientMsg::Push { batch: 1, changes: vec![wire_change("c-x", 1, 1)] }.encode();
    let at = bad_doc.windows(3).position(|w| w == b"c-x").expect("doc id in frame");
    bad_doc[at] = b'C';
    assert_eq!(ClientMsg::decode(&bad_doc), Err(FrameProblem::Malformed));
    // A length prefix claiming far more bytes than the frame holds fails without allocating it.
    let lying = [PROTOCOL_VERSION, 1, 1, 0xff, 0xff, 0xff, 0xff, 0x0f];
    assert_eq!(ClientMsg::decode(&lying), Err(FrameProblem::Malformed));
}

// ---- sync state machine --------------------------------------------------------------------

const KEY: crate::crypto::KeyId = crate::crypto::KeyId([5; 16]);

fn client(cursor: u64) -> SyncClient {
    SyncClient::new(
        SalonId::parse("demo").expect("salon"),
        Credential::Device { token: "t".into() },
        cursor,
        Some(KEY),
        None,
        None,
    )
}

/// The relay's welcome, after which the device knows its id and role (checked here once).
fn welcome(head: u64, key: Option<[u8; 16]>) -> ServerMsg {
    ServerMsg::Welcome { head, key, lost: false, device: 3, role: crate::staff::Role::Beautician, grant: None }
}

fn seq_change(seq: u64) -> SeqChange {
    SeqChange { seq, doc: DocId::parse("c-1").expect("id"), hash: [seq as u8; 32], bytes: vec![1] }
}

/// An outbox entry under key `key`, ready to push.
fn outgoing(change: WireChange, key: u64) -> Outgoing {
    Outgoing { change, outbox: Some(key), announces: None }
}

/// How many changes a push carries.
fn pushed_count(push: &ClientMsg) -> usize {
    match push {
        ClientMsg::Push { changes, .. } => changes.len(),
        _ => 0,
    }
}

fn stored(cursor: u64) -> PageStored {
    PageStored { cursor, keys_arrived: false }
}

#[test]
fn sync_client_authenticates_then_pulls_what_it_lacks_and_pushes() {
    let mut c = client(3);
    assert!(matches!(c.on_open(), ClientMsg::Hello { .. }));
    assert_eq!(c.push(&[outgoing(wire_change("c-1", 1, 1), 1)]), None, "no push before the relay welcomes us");
    let effects = c.on_message(welcome(10, Some(KEY.0)));
    assert_eq!(
        effects,
        vec![
            Effect::Paired { device: 3, role: crate::staff::Role::Beautician },
            Effect::Send(ClientMsg::Pull { since: 3, limit: 500 }),
            Effect::RetryQuarantined,
            Effect::PushIfPending,
            Effect::ErasuresIfPending,
            Effect::BlobsIfPending
        ]
    );
    assert_eq!(c.phase(), Phase::Ready);

    let push = c.push(&[outgoing(wire_change("c-1", 1, 1), 7), outgoing(wire_change("c-1", 2, 1), 8)]).expect("push");
    let ClientMsg::Push { batch, .. } = push else { panic!("a push: {push:?}") };
    assert_eq!(pushed_count(&push), 2);
    assert_eq!(c.push(&[outgoing(wire_change("c-1", 3, 1), 9)]), None, "one push in flight at a time");

    let effects = c.on_message(ServerMsg::Page { changes: vec![seq_change(4), seq_change(6)], head: 10 });
    assert_eq!(effects, vec![Effect::Apply { changes: vec![seq_change(4), seq_change(6)], cursor_after: 6 }]);
    assert_eq!(
        c.page_applied(stored(6)),
        [Effect::BlobsIfPending, Effect::Send(ClientMsg::Pull { since: 6, limit: 500 })],
        "more remain below head"
    );
    let effects = c.on_message(ServerMsg::Page { changes: vec![], head: 10 });
    assert_eq!(effects, vec![Effect::Apply { changes: vec![], cursor_after: 10 }]);
    assert_eq!(c.page_applied(stored(10)), [Effect::BlobsIfPending]);

    assert_eq!(c.on_message(ServerMsg::Ack { batch: batch + 1, seqs: vec![] }), vec![], "stale ack ignored");
    let receipt = Some(Receipt { seq: 12, hash: wire_change("c-1", 2, 1).hash });
    assert_eq!(
        c.on_message(ServerMsg::Ack { batch, seqs: vec![11, 12] }),
        vec![Effect::Acknowledged { receipt, outbox: Some((7, 8)), announced: vec![] }]
    );
    assert!(c.is_caught_up());
    // The next connection tells the relay the newest change it acknowledged.
    assert!(matches!(c.on_open(), ClientMsg::Hello { pushed, .. } if pushed == receipt));
}

#[test]
fn an_acknowledgement_names_the_outbox_entries_and_key_records_of_its_push() {
    let mut c = client(0);
    c.on_open();
    c.on_message(welcome(0, Some(KEY.0)));
    let doc = DocId::parse("c-1").expect("id");
    let her = crate::crypto::DocKey::new([4; 32]).id();
    // Her key's record goes first (it has no outbox entry), then her changes.
    let record = Outgoing { change: wire_change("c-1", 9, 1), outbox: None, announces: Some((doc.clone(), her)) };
    let pending = [record, outgoing(wire_change("c-1", 1, 1), 3), outgoing(wire_change("c-1", 2, 1), 4)];
    let push = c.push(&pending).expect("push");
    let ClientMsg::Push { batch, changes } = push else { panic!("a push: {push:?}") };
    assert_eq!(changes, pending.iter().map(|p| p.change.clone()).collect::<Vec<_>>());
    let effects = c.on_message(ServerMsg::Ack { batch, seqs: vec![20, 21, 22] });
    let receipt = Some(Receipt { seq: 22, hash: wire_change("c-1", 2, 1).hash });
    assert_eq!(effects, [Effect::Acknowledged { receipt, outbox: Some((3, 4)), announced: vec![(doc.clone(), her)] }]);
    // A push of key records alone removes nothing from the outbox; an older receipt is kept.
    let only_key = Outgoing { change: wire_change("c-1", 8, 1), outbox: None, announces: Some((doc.clone(), her)) };
    let ClientMsg::Push { batch, .. } = c.push(&[only_key]).expect("push") else { panic!("a push") };
    let effects = c.on_message(ServerMsg::Ack { batch, seqs: vec![5] });
    assert_eq!(effects, [Effect::Acknowledged { receipt: None, outbox: None, announced: vec![(doc, her)] }]);
    // An acknowledgement lost with its connection: the next connection pushes the same again.
    let ClientMsg::Push { .. } = c.push(&pending).expect("push") else { panic!("a push") };
    c.on_close();
    c.on_open();
    c.on_message(welcome(22, Some(KEY.0)));
    assert_eq!(c.on_message(ServerMsg::Ack { batch, seqs: vec![20, 21, 22] }), [], "not this connection's push");
    assert!(c.push(&pending).is_some());
}

#[test]
fn sync_client_pulls_on_announcements_but_never_twice_at_once() {
    let mut c = client(0);
    c.on_open();
    assert_eq!(
        c.on_message(welcome(0, Some(KEY.0)))[1..],
        [Effect::RetryQuarantined, Effect::PushIfPending, Effect::ErasuresIfPending, Effect::BlobsIfPending]
    );
    assert_eq!(
        c.on_message(ServerMsg::Announce { head: 2 }),
        vec![Effect::Send(ClientMsg::Pull { since: 0, limit: 500 })]
    );
    assert_eq!(c.on_message(ServerMsg::Announce { head: 3 }), vec![], "a pull is already running");
    c.on_message(ServerMsg::Page { changes: vec![seq_change(1), seq_change(2)], head: 2 });
    assert_eq!(
        c.page_applied(stored(2)).last(),
        Some(&Effect::Send(ClientMsg::Pull { since: 2, limit: 500 })),
        "the later announcement is honoured"
    );
}

#[test]
fn quarantined_changes_are_retried_on_every_connection_and_when_a_page_brings_a_key() {
    let mut c = client(0);
    c.on_open();
    assert!(c.on_message(welcome(4, Some(KEY.0))).contains(&Effect::RetryQuarantined));
    c.on_message(ServerMsg::Page { changes: vec![seq_change(1), seq_change(2)], head: 4 });
    assert!(!c.page_applied(stored(2)).contains(&Effect::RetryQuarantined), "no key came: nothing new opens");
    c.on_message(ServerMsg::Page { changes: vec![seq_change(3), seq_change(4)], head: 4 });
    assert_eq!(
        c.page_applied(PageStored { cursor: 4, keys_arrived: true }),
        [Effect::RetryQuarantined, Effect::BlobsIfPending]
    );
    // Not before the relay has welcomed the device: nothing is opened with a key unconfirmed.
    let mut unsettled = client(0);
    unsettled.on_open();
    assert!(!unsettled.on_message(welcome(0, None)).contains(&Effect::RetryQuarantined));
}

#[test]
fn a_photo_the_relay_lacked_is_not_asked_for_again_until_something_changes() {
    let (a, b, c) = (BlobHash::of(b"a"), BlobHash::of(b"b"), BlobHash::of(b"c"));
    let mut client = client(0);
    client.on_open();
    client.on_message(welcome(0, Some(KEY.0)));
    assert_eq!(client.next_fetch(&[a, b, c]), Some(a));
    client.blob_missing(a);
    assert_eq!(client.next_fetch(&[a, b, c]), Some(b), "the others are not held up by it");
    client.blob_missing(b);
    client.blob_missing(c);
    assert_eq!(client.next_fetch(&[a, b, c]), None);
    // A tick (its device may have uploaded them meanwhile) asks again.
    client.tick();
    assert_eq!(client.next_fetch(&[a, b, c]), Some(a));
    // So does a stored page (its documents may name photos, or bring news).
    client.blob_missing(a);
    client.on_message(ServerMsg::Page { changes: vec![seq_change(1)], head: 1 });
    assert!(client.page_applied(stored(1)).contains(&Effect::BlobsIfPending));
    assert_eq!(client.next_fetch(&[a, b, c]), Some(a));
    // The idle check's empty answer is not news.
    client.blob_missing(a);
    assert!(client.on_message(ServerMsg::Page { changes: vec![], head: 1 }).is_empty());
    assert_eq!(client.next_fetch(&[a, b]), Some(b));
    // However many photos are missing, the list stays bounded: it starts over.
    let many: Vec<BlobHash> = (0..2_500u32).map(|i| BlobHash::of(&i.to_le_bytes())).collect();
    for photo in &many {
        client.blob_missing(*photo);
    }
    assert!(client.next_fetch(&many[..2_000]).is_some());
    assert_eq!(client.next_fetch(&many[2_000..]), None, "the newest are kept");
}

#[test]
fn reconnecting_backs_off_while_it_fails_and_starts_short_after_a_connection_that_worked() {
    let mut backoff = Backoff::new();
    let lost = |backoff: &mut Backoff, was_ready| backoff.after(Ended::Lost { was_ready });
    let waits: Vec<Retry> = (0..9).map(|_| lost(&mut backoff, false)).collect();
    let ms = |ms| Retry::After { ms };
    assert_eq!(
        waits,
        [ms(500), ms(1_000), ms(2_000), ms(4_000), ms(8_000), ms(16_000), ms(30_000), ms(30_000), ms(30_000)]
    );
    assert_eq!(lost(&mut backoff, true), ms(Backoff::MIN_MS), "it worked: the relay is back");
    assert_eq!(lost(&mut backoff, false), ms(1_000));
    // A relay that is busy or failing refuses every time: asked less and less often, like one
    // that does not answer.
    assert_eq!(backoff.after(Ended::Refused(ErrorCode::Busy)), ms(2_000));
    assert_eq!(backoff.after(Ended::Refused(ErrorCode::Internal)), ms(4_000));
    assert_eq!(backoff.after(Ended::Refused(ErrorCode::Forbidden)), ms(8_000));
    // A full salon: once a minute, then short again.
    assert_eq!(backoff.after(Ended::Refused(ErrorCode::QuotaExceeded)), ms(Backoff::QUOTA_RETRY_MS));
    assert_eq!(lost(&mut backoff, false), ms(500));
    // Refusals nobody here can clear wait for a change, as does a device without the key.
    lost(&mut backoff, false);
    assert_eq!(backoff.after(Ended::Refused(ErrorCode::Revoked)), Retry::WhenChanged);
    assert_eq!(lost(&mut backoff, false), ms(500));
    lost(&mut backoff, false);
    assert_eq!(backoff.after(Ended::Blocked), Retry::WhenChanged);
    assert_eq!(lost(&mut backoff, false), ms(500));
    // A connection changed here is tried at once.
    lost(&mut backoff, false);
    assert_eq!(backoff.after(Ended::Changed), Retry::Now);
    assert_eq!(lost(&mut backoff, false), ms(500));
}

#[test]
fn sync_client_remembers_whether_the_connection_got_as_far_as_syncing() {
    let mut c = client(0);
    c.on_open();
    assert!(!c.was_ready());
    c.on_message(welcome(0, Some(KEY.0)));
    assert!(c.was_ready());
    c.on_close();
    assert!(c.was_ready(), "still known once closed: the backoff asks then");
    c.on_open();
    assert!(!c.was_ready(), "a new connection has to get there again");
    assert_eq!(c.on_message(ServerMsg::Error { code: ErrorCode::Busy }), [Effect::Refused(ErrorCode::Busy)]);
    assert!(!c.was_ready());
}

#[test]
fn sync_client_forgets_in_flight_work_on_close_and_reports_refusals() {
    let mut c = client(0);
    c.on_open();
    c.on_message(welcome(0, Some(KEY.0)));
    assert!(c.push(&[outgoing(wire_change("c-1", 1, 1), 1)]).is_some());
    c.on_close();
    c.on_open();
    c.on_message(welcome(0, Some(KEY.0)));
    assert!(c.push(&[outgoing(wire_change("c-1", 1, 1), 1)]).is_some(), "the unacknowledged change is pushed again");
    assert_eq!(
        c.on_message(ServerMsg::Error { code: ErrorCode::Unauthorized }),
        vec![Effect::Refused(ErrorCode::Unauthorized)]
    );
    assert_eq!(c.phase(), Phase::Closed);
}

#[test]
fn sync_client_polls_only_when_ready_and_idle() {
    let mut c = client(5);
    assert_eq!(c.poll(), None, "not connected");
    c.on_open();
    assert_eq!(c.poll(), None, "not authenticated");
    c.on_message(welcome(5, Some(KEY.0)));
    assert_eq!(c.poll(), Some(ClientMsg::Pull { since: 5, limit: 500 }));
    assert_eq!(c.poll(), None, "the first poll is still unanswered");
    assert_eq!(c.on_message(ServerMsg::Page { changes: vec![], head: 5 }), [], "nothing new: nothing to store");
    assert!(c.poll().is_some());
}

#[test]
fn join_codes_come_as_pairs_or_links() {
    use crate::join::JoinCode;
    let expected = Ok(JoinCode { salon: SalonId::parse("demo").expect("salon"), token: "a1b2".into(), key: None });
    assert_eq!(JoinCode::parse("demo:a1b2"), expected);
    assert_eq!(JoinCode::parse("  demo : a1b2 "), expected);
    assert_eq!(JoinCode::parse("#join=demo:a1b2"), expected);
    assert_eq!(JoinCode::parse("http://127.0.0.1:8787/#join=demo:a1b2"), expected);
    for bad in ["", "demo", "demo:", ":a1b2", "Demo:a1b2", "demo:a b", "http://x/#join=demo"] {
        assert!(JoinCode::parse(bad).is_err(), "input {bad:?}");
    }
}

#[test]
fn sync_client_splits_large_outboxes_into_frames_that_fit() {
    let mut c = client(0);
    c.on_open();
    c.on_message(welcome(0, Some(KEY.0)));
    let big: Vec<Outgoing> = (0..10).map(|i| outgoing(wire_change("c-1", i, 200 << 10), u64::from(i))).collect();
    let msg = c.push(&big).expect("push");
    assert_eq!(pushed_count(&msg), 3, "three 200 KiB changes fit in one 768 KiB push");
    assert!(msg.encode().len() <= crate::wire::limits::MAX_FRAME_BYTES);
}

// ---- sealing ------------------------------------------------------------------------------

#[test]
fn a_customers_change_names_her_readably_until_it_is_sealed() {
    // Why the relay's files are searched for names after an e2e run: an automerge change
    // carries her name and phone as plain UTF-8, so only sealing keeps them from the relay.
    let form =
        CustomerForm::with(&[(Field::Name, "林晓雯"), (Field::Phone, "13912345678"), (Field::Allergies, "青霉素过敏")]);
    let new = new_customer(form.validate(TODAY, &no_referrer).expect("valid"));
    let (_, change) = CustomerDoc::create(device(1), &new).expect("created");
    let readable = |bytes: &[u8], text: &str| bytes.windows(text.len()).any(|w| w == text.as_bytes());
    for text in ["林晓雯", "13912345678", "青霉素过敏"] {
        assert!(readable(&change.bytes, text), "{text} is in the plain change");
    }
    let key = crate::crypto::SalonKey::new([1; 32]);
    let salon = SalonId::parse("demo").expect("salon");
    let her = crate::crypto::DocKey::new([2; 32]);
    let sealed = key.seal_change(&salon, &new.id.doc_id(), Some(&her), &change.bytes);
    for text in ["林晓雯", "13912345678", "青霉素过敏"] {
        assert!(!readable(&sealed, text), "{text} is not in the sealed change");
    }
    assert_eq!(key.open_change(&salon, &new.id.doc_id(), &[her], &sealed), Ok(change.bytes));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    /// Whatever arrives on the socket, decoding answers (a message or a reason) and never
    /// panics or allocates past the frame: random frames, and valid frames with bytes flipped,
    /// cut or extended.
    #[test]
    fn no_frame_makes_either_side_panic(
        noise in proptest::collection::vec(any::<u8>(), 0..600),
        flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..6),
        cut in any::<usize>(),
    ) {
        let _ = ClientMsg::decode(&noise);
        let _ = ServerMsg::decode(&noise);
        let _ = crate::wire::PairReply::decode(&noise);
        // Sealed records of every format, cut or garbled: opening says why, never panics.
        let ring = crate::crypto::Keyring::new(crate::crypto::SalonKey::new([1; 32]));
        let (demo, doc) = (SalonId::parse("demo").expect("salon"), crate::ids::DocId::parse("c-1").expect("doc"));
        let hers = [crate::crypto::DocKey::new([2; 32])];
        for format in [0u8, 1, 2, 3, 4] {
            let record = [&crate::crypto::MAGIC[..], &[format], &noise].concat();
            prop_assert!(ring.open_change(&demo, &doc, &hers, &record).is_err());
            prop_assert!(ring.open_doc_key(&demo, &doc, &record).is_err());
            prop_assert!(ring.open_blob(&demo, &crate::blob::BlobHash::of(b"x"), &hers, &record).is_err());
        }
        let mut with_version = noise.clone();
        with_version.insert(0, PROTOCOL_VERSION);
        let _ = ClientMsg::decode(&with_version);
        let _ = ServerMsg::decode(&with_version);
        let client_frames = 4;
        let valid = [
            ClientMsg::Push { batch: 3, changes: vec![wire_change("c-1", 1, 20), wire_change("c-2", 2, 5)] }.encode(),
            ClientMsg::PairOffer { rendezvous: "K7QX".into(), msg: vec![7; 33] }.encode(),
            ClientMsg::Hello {
                salon: SalonId::parse("demo").expect("salon"),
                credential: Credential::Device { token: "tok".into() },
                at: None,
                pushed: None,
            }
            .encode(),
            ClientMsg::ClaimKey { id: [4; 16] }.encode(),
            welcome(9, Some([1; 16])).encode(),
            ServerMsg::Page { changes: vec![seq_change(4)], head: 9 }.encode(),
        ];
        for (i, frame) in valid.into_iter().enumerate() {
            let mut bent = frame.clone();
            for (at, xor) in &flips {
                let at = at % bent.len();
                bent[at] ^= xor;
            }
            let _ = ClientMsg::decode(&bent);
            let _ = ServerMsg::decode(&bent);
            let short = &frame[..cut % (frame.len() + 1)];
            let _ = ClientMsg::decode(short);
            let _ = ServerMsg::decode(short);
            let _ = crate::wire::PairReply::decode(&bent);
            // A device's frame with anything after it is refused, not half-read.
            let long = [&frame[..], &noise[..]].concat();
            let _ = ServerMsg::decode(&long);
            if i < client_frames && !noise.is_empty() {
                prop_assert!(ClientMsg::decode(&long).is_err());
            }
        }
    }
}

#[test]
fn a_failure_at_the_relay_is_retried_like_a_lost_link_and_only_the_devices_own_faults_stop_it() {
    use crate::wire::{AfterRefusal, ErrorCode};
    // A relay whose disk hiccupped must not leave a tablet stuck until someone taps.
    for code in [ErrorCode::Internal, ErrorCode::Busy, ErrorCode::Forbidden] {
        assert_eq!(code.after_refusal(), AfterRefusal::Reconnect, "{code:?}");
    }
    assert_eq!(ErrorCode::QuotaExceeded.after_refusal(), AfterRefusal::RetryLater);
    for code in [ErrorCode::Revoked, ErrorCode::InviteInvalid, ErrorCode::Unauthorized, ErrorCode::UnsupportedVersion] {
        assert_eq!(code.after_refusal(), AfterRefusal::Stop, "{code:?}");
    }
}
