//! The follow-ups' words: why a task exists, the worklist's buckets, contact channels and the
//! message templates, in both languages.

use domain::care::Channel;
use domain::care::complaints::{Category, Severity};
use domain::care::rules::{Bucket, Reason};

use super::{Locale, Texts};

/// What a message template fills in.
pub struct TemplateValues<'a> {
    pub name: &'a str,
    pub beautician: &'a str,
    pub card: &'a str,
    pub remaining: i64,
    pub salon: &'a str,
}

impl Texts {
    pub fn reason(&self, reason: &Reason) -> String {
        let zh = self.locale == Locale::ZhCn;
        match (reason, zh) {
            (Reason::FirstContact { first }, true) => format!("新客回访：{first} 第一次护理，一周内联系"),
            (Reason::FirstContact { first }, false) => {
                format!("New customer: first treatment {first}, contact within a week")
            }
            (Reason::ProductCall { bought, step: 1 }, true) => format!("{bought} 买了产品：次日回访使用方法"),
            (Reason::ProductCall { bought, step: 1 }, false) => {
                format!("Bought products {bought}: next-day call on how to use them")
            }
            (Reason::ProductCall { bought, step: 2 }, true) => format!("{bought} 买了产品：一周回访效果"),
            (Reason::ProductCall { bought, step: 2 }, false) => format!("Bought products {bought}: one-week check"),
            (Reason::ProductCall { bought, .. }, true) => format!("{bought} 买了产品：每月回访"),
            (Reason::ProductCall { bought, .. }, false) => format!("Bought products {bought}: monthly check"),
            (Reason::CardExpiring { item, expires, .. }, true) => {
                format!("{item} 卡 {expires} 到期，提醒尽快使用或续卡")
            }
            (Reason::CardExpiring { item, expires, .. }, false) => {
                format!("{item} card expires {expires}: remind her to use or renew it")
            }
            (Reason::CardLow { item, remaining, .. }, true) => format!("{item} 卡只剩 {remaining} 次，商量续卡"),
            (Reason::CardLow { item, remaining, .. }, false) => {
                format!("{item} card has {remaining} left: talk about renewing")
            }
            (Reason::Birthday { on }, true) => format!("{on} 生日：祝福并准备礼物"),
            (Reason::Birthday { on }, false) => format!("Birthday {on}: greeting and a gift"),
            (Reason::Holiday { name, on }, true) => format!("{name}（{on}）节日问候"),
            (Reason::Holiday { name, on }, false) => format!("{name} ({on}) greeting"),
            (Reason::ClassContact { class }, true) => match class {
                domain::classify::abc::ValueClass::A => "A类顾客：每月上门或电话关怀".into(),
                domain::classify::abc::ValueClass::B => "B类顾客：每月关注".into(),
                domain::classify::abc::ValueClass::C => "C类顾客：发条短信问候".into(),
            },
            (Reason::ClassContact { class }, false) => match class {
                domain::classify::abc::ValueClass::A => "Class A: monthly visit or call".into(),
                domain::classify::abc::ValueClass::B => "Class B: monthly attention".into(),
                domain::classify::abc::ValueClass::C => "Class C: a short message".into(),
            },
            (Reason::PotentialAsk { .. }, true) => "潜在顾客：问问为什么还没有办卡".into(),
            (Reason::PotentialAsk { .. }, false) => "Potential customer: ask why she has not bought a card".into(),
            (Reason::WinBackLetter, true) => "沉睡/流失顾客：寄出挽回信".into(),
            (Reason::WinBackLetter, false) => "Silent or lost: send the win-back letter".into(),
            (Reason::WinBackCall, true) => "沉睡/流失顾客：挽回电话".into(),
            (Reason::WinBackCall, false) => "Silent or lost: win-back call".into(),
            (Reason::Handover { from, to }, true) => format!("交接：由 {to} 接手（原 {from}），首次联系"),
            (Reason::Handover { from, to }, false) => format!("Handover: first contact from {to} (was {from})"),
        }
    }

    pub fn more_tasks(&self, more: usize) -> String {
        if self.locale == Locale::ZhCn {
            format!("还有 {more} 条未显示（按到期先后排列，先处理上面的）。")
        } else {
            format!("{more} more not shown (oldest first: work from the top).")
        }
    }

    pub fn bucket(&self, bucket: Bucket) -> &'static str {
        match bucket {
            Bucket::Overdue => self.pick("已逾期", "Overdue"),
            Bucket::Today => self.pick("今天", "Today"),
            Bucket::ThisWeek => self.pick("本周", "This week"),
        }
    }

    pub fn plan_field(&self, field: domain::care::plan::PlanField) -> &'static str {
        use domain::care::plan::PlanField as F;
        match field {
            F::NewContactDays => {
                self.pick("新客首次护理后几天内回访", "New customer: contact within (days of the first treatment)")
            }
            F::ProductCallDays => self
                .pick("买产品后第几天回访（逗号分隔）", "After buying products: call on these days (comma-separated)"),
            F::CardExpiryDays => self.pick("疗程卡到期前几天提醒", "Card expiry: remind this many days before"),
            F::CardLowSessions => {
                self.pick("剩余几次以下提醒续卡", "Card running out: remind at this many sessions left")
            }
            F::BirthdayDaysBefore => self.pick("生日提前几天准备礼物", "Birthday: this many days before"),
            F::Holidays => self.pick("节日（每行：月-日 名称）", "Holidays (one per line: MM-DD name)"),
            F::HolidayDaysBefore => {
                self.pick("节日提前几天问候（A、B类）", "Holiday greeting this many days before (classes A and B)")
            }
            F::AEveryDays => self.pick("A类：每隔几天上门或电话", "Class A: a visit or call every (days)"),
            F::BEveryDays => self.pick("B类：每隔几天关注", "Class B: attention every (days)"),
            F::CEveryDays => self.pick("C类：每隔几天发短信", "Class C: a message every (days)"),
            F::PotentialAskDays => {
                self.pick("潜在顾客：几天后询问未办卡原因", "Potential: ask why no card after (days)")
            }
            F::WinBackCallDays => self.pick("挽回信寄出几天后电话", "Win-back call (days after the letter)"),
            F::HandoverDays => self.pick("交接后几天内首次联系", "After a hand-over: first contact within (days)"),
        }
    }

    pub fn complaint_category(&self, category: Category) -> &'static str {
        match category {
            Category::Allergy => self.pick("过敏反应", "Allergic reaction"),
            Category::Result => self.pick("效果", "Result"),
            Category::Service => self.pick("服务", "Service"),
            Category::Price => self.pick("价格", "Price"),
            Category::Hygiene => self.pick("卫生", "Hygiene"),
            Category::Suggestion => self.pick("建议", "Suggestion"),
            Category::Other => self.pick("其他", "Other"),
        }
    }

    pub fn severity(&self, severity: Severity) -> &'static str {
        match severity {
            Severity::Low => self.pick("轻", "Low"),
            Severity::Medium => self.pick("中", "Medium"),
            Severity::High => self.pick("严重", "High"),
        }
    }

    pub fn role(&self, role: crate::io::browser::Role) -> &'static str {
        match role {
            crate::io::browser::Role::Unset => {
                self.pick("未设置（打开顾客档案）", "Not set (opens the customer books)")
            }
            crate::io::browser::Role::Owner => self.pick("店长 / 老板", "Owner / manager"),
            crate::io::browser::Role::Beautician => self.pick("美容师", "Beautician"),
        }
    }

    pub fn channel(&self, channel: Channel) -> &'static str {
        match channel {
            Channel::Call => self.pick("电话", "Call"),
            Channel::Message => self.pick("短信 / 微信", "Message"),
            Channel::Visit => self.pick("上门", "Visit"),
            Channel::InStore => self.pick("到店面谈", "In store"),
        }
    }

    /// The message templates: (key, title, text with the values filled in).
    pub fn templates(&self, v: &TemplateValues<'_>) -> Vec<(&'static str, &'static str, String)> {
        let (name, beautician, card, remaining, salon) = (v.name, v.beautician, v.card, v.remaining, v.salon);
        if self.locale == Locale::ZhCn {
            vec![
                (
                    "care",
                    "护理后关怀",
                    format!("{name}您好，我是{salon}的{beautician}。上次护理后皮肤感觉怎么样？有任何不适随时告诉我。"),
                ),
                (
                    "card",
                    "疗程卡提醒",
                    format!("{name}您好，您的{card}还剩 {remaining} 次，记得常来做护理哦。{beautician}"),
                ),
                (
                    "birthday",
                    "生日祝福",
                    format!("{name}，生日快乐！{salon}为您准备了一份小礼物，欢迎来店领取。{beautician}"),
                ),
                (
                    "winback",
                    "好久不见",
                    format!(
                        "{name}您好，好久没见到您了，{salon}很想念您。最近有新的护理项目，欢迎回来体验。{beautician}"
                    ),
                ),
            ]
        } else {
            vec![
                (
                    "care",
                    "After-care",
                    format!(
                        "Hello {name}, this is {beautician} from {salon}. How does your skin feel after the last treatment? Tell me about anything unusual."
                    ),
                ),
                (
                    "card",
                    "Card reminder",
                    format!("Hello {name}, your {card} has {remaining} sessions left; come in soon. {beautician}"),
                ),
                (
                    "birthday",
                    "Birthday",
                    format!("Happy birthday, {name}! {salon} has a small gift for you at the salon. {beautician}"),
                ),
                (
                    "winback",
                    "Missed you",
                    format!(
                        "Hello {name}, we have not seen you for a while at {salon}. There are new treatments to try; welcome back. {beautician}"
                    ),
                ),
            ]
        }
    }
}
