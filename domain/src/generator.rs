//! A deterministic generator of a realistic salon, for tests and benchmarks: the same seed
//! always gives the same customers, visits, cards, money entries and photo records.
//!
//! Spending is heavy-tailed as in a real salon (a few customers bring most of the revenue,
//! many came once), so classification and the paper-book views have something to show.
//! Randomness comes from a seeded SplitMix64, never from the system.

use std::collections::BTreeMap;

use jiff::Timestamp;
use jiff::civil::{Date, DateTime};

use crate::DomainError;
use crate::customer::{
    BodyArea, Card, ConsentEvent, CustomerDoc, CustomerForm, CustomerNumber, EntryEdit, EntryId, Field, LocalChange,
    MoneyEntry, MoneyKind, NewCustomer, Photo, PhotoStage, Purpose, Visit,
};
use crate::ids::{CustomerId, DeviceId, DeviceTag};
use crate::money::{Fen, Payment};

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林",
    "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾", "萧", "田", "董", "潘", "袁", "蔡",
    "蒋", "余", "于", "杜", "叶", "程", "魏", "苏", "吕", "丁", "任", "卢", "单",
];
const GIVEN: &[&str] = &[
    "丽", "娟", "敏", "静", "燕", "艳", "芳", "娜", "秀", "玲", "婷", "雪", "慧", "琳", "霞", "欣", "怡", "佳", "颖",
    "晓", "红", "梅", "莉", "兰", "萍", "倩", "洁", "琴", "云", "璐", "悦", "思", "雨", "彤", "瑶", "薇", "蓉", "月",
];
const BEAUTICIANS: &[&str] = &["小美", "阿琳", "李姐", "王芳", "陈静", "刘婷"];
const SERVICES: &[(&str, i64)] = &[
    ("面部补水护理", 298),
    ("深层清洁", 198),
    ("肩颈按摩", 168),
    ("眼部护理", 258),
    ("背部SPA", 388),
    ("美白嫩肤", 580),
    ("抗衰紧致", 880),
    ("头皮养护", 228),
];
const PRODUCTS: &[(&str, i64)] = &[("保湿精华", 368), ("洁面乳", 128), ("防晒霜", 198), ("修护面霜", 458)];
const TAGS: &[&str] = &["VIP", "敏感肌", "孕期", "学生", "老带新", "价格敏感", "重品质"];
const ALLERGIES: &[&str] = &["果酸过敏", "对酒精敏感", "青霉素过敏", "对香精过敏"];
const SOURCES: &[&str] = &["friend_referral", "walked_past", "online", "free_card", "family_card", "小红书", "美团"];

/// SplitMix64: tiny, fast and good enough for test data.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }

    pub fn bytes16(&mut self) -> [u8; 16] {
        let mut out = [0u8; 16];
        out[..8].copy_from_slice(&self.next_u64().to_le_bytes());
        out[8..].copy_from_slice(&self.next_u64().to_le_bytes());
        out
    }
}

/// One generated customer: her creation and every entry, in the order they happened.
#[derive(Debug, Clone)]
pub struct GeneratedCustomer {
    pub new: NewCustomer,
    pub visits: Vec<Visit>,
    pub cards: Vec<Card>,
    pub money: Vec<MoneyEntry>,
    pub photos: Vec<Photo>,
}

impl GeneratedCustomer {
    /// Her document as one device would have written it, and every change in order.
    pub fn build(&self, device: DeviceId) -> Result<(CustomerDoc, Vec<LocalChange>), DomainError> {
        let (mut doc, first) = CustomerDoc::create(device, &self.new)?;
        let mut changes = vec![first];
        let at = self.new.created_at;
        for card in &self.cards {
            changes.extend(doc.edit_entry(device, EntryEdit::AddCard(card), at)?);
        }
        for money in &self.money {
            changes.extend(doc.edit_entry(device, EntryEdit::AddMoney(money), at)?);
        }
        for visit in &self.visits {
            changes.extend(doc.edit_entry(device, EntryEdit::AddVisit(visit), at)?);
        }
        for photo in &self.photos {
            changes.extend(doc.edit_entry(device, EntryEdit::AddPhoto(photo), at)?);
        }
        Ok((doc, changes))
    }
}

fn timestamp(at: DateTime) -> Timestamp {
    let days = i64::from((at.date() - jiff::civil::date(1970, 1, 1)).get_days());
    let seconds = days * 86_400 + i64::from(at.hour()) * 3_600 + i64::from(at.minute()) * 60;
    Timestamp::from_second(seconds).unwrap_or(Timestamp::UNIX_EPOCH)
}

fn days_before(today: Date, days: i64) -> Date {
    today.checked_sub(jiff::Span::new().days(days)).unwrap_or(today)
}

/// `n` customers of a salon that has been open for three years on `today`.
pub fn salon(seed: u64, n: usize, today: Date) -> Vec<GeneratedCustomer> {
    salon_scaled(seed, n, today, 100)
}

/// The same salon with every customer's number of visits scaled by `visits_pct` percent
/// (283 gives about 20 visits per customer: 100,000 for 5,000 customers).
pub fn salon_scaled(seed: u64, n: usize, today: Date, visits_pct: u64) -> Vec<GeneratedCustomer> {
    let mut rng = Rng::new(seed);
    let tag = DeviceTag::parse("GEN0").unwrap_or_else(|_| DeviceTag::from_random([0; 4]));
    let mut customers: Vec<GeneratedCustomer> = Vec::with_capacity(n);
    for i in 0..n {
        let mut name = rng.pick(SURNAMES).to_string();
        for _ in 0..=rng.below(2) {
            name.push_str(rng.pick(GIVEN));
        }
        let since = days_before(today, rng.below(3 * 365) as i64);
        let mut form = CustomerForm::with(&[
            (Field::Name, &name),
            (Field::Gender, if rng.chance(92) { "female" } else { "male" }),
            (Field::Phone, &format!("1{}{:08}", rng.pick(&["38", "39", "58", "86", "88"]), rng.below(100_000_000))),
            (Field::Beautician, rng.pick(BEAUTICIANS)),
            (Field::Source, rng.pick(SOURCES)),
        ]);
        if rng.chance(80) {
            let born = days_before(today, (18 + rng.below(45) as i64) * 365 + rng.below(365) as i64);
            form.set(Field::Birthday, born.to_string());
        }
        if rng.chance(10) {
            form.set(Field::Allergies, rng.pick(ALLERGIES));
        }
        if rng.chance(40) {
            form.set(Field::SkinType, rng.pick(&["dry", "oily", "combination", "normal", "sensitive"]));
        }
        if rng.chance(30) {
            form.set(Field::Tags, format!("{} {}", rng.pick(TAGS), rng.pick(TAGS)));
        }
        if rng.chance(20) {
            form.set(Field::Notes, "喜欢安静，护理时不爱聊天；周末下午方便。");
        }
        if i > 0 && form.get(Field::Source) == "friend_referral" {
            let referrer = &customers[rng.below(i as u64) as usize];
            form.set(Field::Referrer, referrer.new.number.to_string());
        }
        let lookup = |number: &str| {
            customers
                .iter()
                .find(|c| c.new.number.to_string() == number)
                .map(|c| c.new.id.clone())
                .ok_or(crate::FieldProblem::UnknownCustomer)
        };
        let Ok(profile) = form.validate(today, &lookup) else { continue };
        let created_at = timestamp(since.at(10, 0, 0, 0));
        // She signed the salon's consent form when her file was opened.
        let by = if profile.beautician().is_empty() { "前台" } else { profile.beautician() };
        // Ids made from her index, not the generator's stream, so the salon is the same one
        // earlier benchmarks generated.
        let consents = Purpose::ALL
            .into_iter()
            .enumerate()
            .filter_map(|(p, purpose)| {
                let mut id = [0xc0; 16];
                id[0] = p as u8;
                id[8..].copy_from_slice(&(i as u64).to_le_bytes());
                ConsentEvent::new(EntryId::from_random(id), purpose, true, by, created_at).ok()
            })
            .collect();
        let new = NewCustomer {
            id: CustomerId::from_random(rng.bytes16()),
            number: CustomerNumber::new(tag.clone(), (i + 1) as u32),
            created_at,
            profile,
            consents,
        };
        let beautician = new.profile.beautician().to_owned();
        let mut generated =
            GeneratedCustomer { new, visits: Vec::new(), cards: Vec::new(), money: Vec::new(), photos: Vec::new() };
        // Heavy tail: 25% never came back after the consultation, most came a few times,
        // a few come every week or two.
        let visits = match rng.below(100) {
            0..=24 => rng.below(2),
            25..=84 => 1 + rng.below(8),
            _ => 10 + rng.below(40),
        } * visits_pct
            / 100;
        let span_days = (today - since).get_days().max(1) as u64;
        if visits >= 3 && rng.chance(60) {
            let (item, price) = rng.pick(SERVICES);
            let sessions = rng.pick(&[5u32, 10, 10, 20]);
            generated.cards.push(Card {
                id: EntryId::from_random(rng.bytes16()),
                item: item.to_owned(),
                sessions,
                used_before: 0,
                price: Fen::yuan(price * i64::from(sessions) * 8 / 10),
                payment: rng.pick(&[Payment::Cash, Payment::WeChat, Payment::Alipay]),
                bought_on: since,
                expires_on: Some(since.checked_add(jiff::Span::new().years(1)).unwrap_or(since)),
                voided: false,
            });
        }
        if visits >= 5 && rng.chance(40) {
            generated.money.push(MoneyEntry {
                id: EntryId::from_random(rng.bytes16()),
                on: since,
                kind: MoneyKind::TopUp,
                amount: Fen::yuan(rng.pick(&[1000, 2000, 3000, 5000])),
                payment: Payment::WeChat,
                note: String::new(),
                voided: false,
            });
        }
        let mut prepaid: i64 = generated.money.iter().map(|m| m.amount.as_fen()).sum();
        let mut card_left: BTreeMap<EntryId, u32> =
            generated.cards.iter().map(|c| (c.id.clone(), c.sessions)).collect();
        let mut days: Vec<u64> = (0..visits).map(|_| rng.below(span_days)).collect();
        days.sort_unstable();
        for day in days {
            let date = since.checked_add(jiff::Span::new().days(day as i64)).unwrap_or(since);
            let (item, price) = rng.pick(SERVICES);
            let mut card_uses = BTreeMap::new();
            let mut amount = Fen::yuan(price);
            if let Some((card, left)) = card_left.iter_mut().find(|(_, left)| **left > 0)
                && rng.chance(80)
            {
                *left -= 1;
                card_uses.insert(card.clone(), 1);
                amount = Fen::ZERO;
            }
            let mut products = String::new();
            if rng.chance(15) {
                let (product, product_price) = rng.pick(PRODUCTS);
                products = product.to_owned();
                amount = amount + Fen::yuan(product_price);
            }
            let payment = match rng.below(100) {
                _ if amount == Fen::ZERO => Payment::Cash,
                0..=4 => Payment::OnAccount,
                5..=24 if prepaid >= amount.as_fen() => {
                    prepaid -= amount.as_fen();
                    Payment::Prepaid
                }
                _ => rng.pick(&[Payment::Cash, Payment::WeChat, Payment::Alipay, Payment::BankCard]),
            };
            generated.visits.push(Visit {
                id: EntryId::from_random(rng.bytes16()),
                at: date.at(10 + rng.below(9) as i8, 0, 0, 0),
                items: item.to_owned(),
                beautician: beautician.clone(),
                amount,
                payment,
                products,
                card_uses,
                notes: String::new(),
                voided: false,
            });
        }
        if !generated.visits.is_empty() && rng.chance(20) {
            for stage in [PhotoStage::Before, PhotoStage::After] {
                let mut blob = String::new();
                for byte in rng.bytes16().iter().chain(rng.bytes16().iter()) {
                    blob.push_str(&format!("{byte:02x}"));
                }
                generated.photos.push(Photo {
                    id: EntryId::from_random(rng.bytes16()),
                    blob,
                    area: BodyArea::Face,
                    stage,
                    taken_on: generated.visits[0].at.date(),
                    note: String::new(),
                    width: 1280,
                    height: 960,
                    bytes: 180_000 + rng.below(120_000) as u32,
                    voided: false,
                });
            }
        }
        customers.push(generated);
    }
    customers
}
