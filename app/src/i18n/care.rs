//! The follow-ups' words: why a task exists, the worklist's buckets, contact channels and the
//! message templates, in both languages.

use domain::care::Channel;
use domain::care::complaints::{Category, Severity};
use domain::care::rules::{Bucket, HandoverProblem, Reason, TaskKind};

use super::{Locale, Texts};

/// What a message template fills in.
pub struct TemplateValues<'a> {
    pub name: &'a str,
    pub beautician: &'a str,
    pub card: &'a str,
    pub remaining: i64,
    /// The salon's name, when someone set it.
    pub salon: Option<&'a str>,
}

impl Texts {
    pub fn reason(&self, reason: &Reason) -> String {
        let zh = self.locale == Locale::ZhCn;
        match (reason, zh) {
            (Reason::FirstContact { first, within }, true) => {
                format!("新客回访：{first} 第一次护理，{within} 天内联系")
            }
            (Reason::FirstContact { first, within }, false) => {
                format!("New customer: first treatment {first}, contact within {within} days")
            }
            (Reason::ProductCall { bought, step: 1, days: 1 }, true) => format!("{bought} 买了产品：次日回访使用方法"),
            (Reason::ProductCall { bought, step: 1, days: 1 }, false) => {
                format!("Bought products {bought}: next-day call on how to use them")
            }
            (Reason::ProductCall { bought, step: 1, days }, true) => {
                format!("{bought} 买了产品：第 {days} 天回访使用方法")
            }
            (Reason::ProductCall { bought, step: 1, days }, false) => {
                format!("Bought products {bought}: call on day {days} on how to use them")
            }
            (Reason::ProductCall { bought, days, .. }, true) => format!("{bought} 买了产品：第 {days} 天回访效果"),
            (Reason::ProductCall { bought, days, .. }, false) => {
                format!("Bought products {bought}: check on day {days}")
            }
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
            (Reason::ClassContact { class, every }, true) => match class {
                domain::classify::abc::ValueClass::A => format!("A类顾客：每 {every} 天上门或电话关怀"),
                domain::classify::abc::ValueClass::B => format!("B类顾客：每 {every} 天关注一次"),
                domain::classify::abc::ValueClass::C => format!("C类顾客：每 {every} 天发条短信问候"),
            },
            (Reason::ClassContact { class, every }, false) => match class {
                domain::classify::abc::ValueClass::A => format!("Class A: a visit or call every {every} days"),
                domain::classify::abc::ValueClass::B => format!("Class B: attention every {every} days"),
                domain::classify::abc::ValueClass::C => format!("Class C: a short message every {every} days"),
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

    /// "snoozed until …" with the day.
    pub fn snoozed_until(&self, day: &str) -> String {
        if self.locale == Locale::ZhCn { format!("已推迟到 {day}") } else { format!("Snoozed until {day}") }
    }

    /// A snooze choice: "1 天", "1 周"; and when it passes the day the task is about, says so.
    pub fn snooze_choice(&self, days: i32, misses: Option<&str>) -> String {
        let zh = self.locale == Locale::ZhCn;
        let span = match (days, zh) {
            (7, true) => "1 周".to_owned(),
            (n, true) => format!("{n} 天"),
            (7, false) => "a week".to_owned(),
            (1, false) => "a day".to_owned(),
            (n, false) => format!("{n} days"),
        };
        match (misses, zh) {
            (None, _) => span,
            (Some(day), true) => format!("{span}（会过了 {day}）"),
            (Some(day), false) => format!("{span} (past {day})"),
        }
    }

    /// What kind of task a stored decision was about.
    pub fn task_kind(&self, kind: Option<TaskKind>) -> &'static str {
        match kind {
            Some(TaskKind::FirstContact) => self.pick("新客回访", "New-customer follow-up"),
            Some(TaskKind::ProductCall) => self.pick("产品回访", "Product follow-up"),
            Some(TaskKind::CardExpiring) => self.pick("卡到期提醒", "Card expiry reminder"),
            Some(TaskKind::CardLow) => self.pick("续卡提醒", "Card renewal"),
            Some(TaskKind::Birthday) => self.pick("生日问候", "Birthday greeting"),
            Some(TaskKind::Holiday) => self.pick("节日问候", "Holiday greeting"),
            Some(TaskKind::ClassContact) => self.pick("定期关怀", "Regular contact"),
            Some(TaskKind::PotentialAsk) => self.pick("询问未办卡原因", "Ask about a card"),
            Some(TaskKind::WinBackLetter) => self.pick("挽回信", "Win-back letter"),
            Some(TaskKind::WinBackCall) => self.pick("挽回电话", "Win-back call"),
            Some(TaskKind::Handover) => self.pick("交接首次联系", "Hand-over first contact"),
            None => self.pick("回访任务", "Follow-up"),
        }
    }

    pub fn handover_problem(&self, problem: HandoverProblem) -> &'static str {
        match problem {
            HandoverProblem::NoNewBeautician => self.pick("请填写接手的美容师。", "Enter who takes over."),
            HandoverProblem::SameBeautician => {
                self.pick("接手的美容师和原美容师是同一位。", "That is the beautician they already belong to.")
            }
            HandoverProblem::NoCustomers => self.pick("请至少选择一位顾客。", "Select at least one customer."),
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

    pub fn role(&self, role: domain::staff::Role) -> &'static str {
        use domain::staff::Role;
        match role {
            Role::Unset => self.pick("未设置（打开顾客档案）", "Not set (opens the customer books)"),
            Role::Owner => self.pick("老板", "Owner"),
            Role::Manager => self.pick("店长", "Manager"),
            Role::Consultant => self.pick("顾问", "Consultant"),
            Role::Beautician => self.pick("美容师", "Beautician"),
            Role::FrontDesk => self.pick("前台", "Front desk"),
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

    /// The message templates: (key, title, text with the values filled in). Signed with the
    /// salon's name when it has one, and always with the beautician's.
    pub fn templates(&self, v: &TemplateValues<'_>) -> Vec<(&'static str, &'static str, String)> {
        let (name, beautician, card, remaining) = (v.name, v.beautician, v.card, v.remaining);
        if self.locale == Locale::ZhCn {
            let (me, we) = match v.salon {
                Some(salon) => (format!("我是{salon}的{beautician}"), salon.to_owned()),
                None => (format!("我是您的美容师{beautician}"), "我们".to_owned()),
            };
            vec![
                ("care", "护理后关怀", format!("{name}您好，{me}。上次护理后皮肤感觉怎么样？有任何不适随时告诉我。")),
                ("card", "疗程卡提醒", format!("{name}您好，{me}。您的{card}还剩 {remaining} 次，记得常来做护理哦。")),
                (
                    "birthday",
                    "生日祝福",
                    format!("{name}，生日快乐！{we}为您准备了一份小礼物，欢迎来店领取。——{beautician}"),
                ),
                (
                    "winback",
                    "好久不见",
                    format!("{name}您好，{me}。好久没见到您了，最近有新的护理项目，欢迎回来体验。"),
                ),
            ]
        } else {
            let (me, we) = match v.salon {
                Some(salon) => (format!("this is {beautician} from {salon}"), salon.to_owned()),
                None => (format!("this is {beautician}, your beautician"), "We".to_owned()),
            };
            vec![
                (
                    "care",
                    "After-care",
                    format!(
                        "Hello {name}, {me}. How does your skin feel after the last treatment? Tell me about anything unusual."
                    ),
                ),
                (
                    "card",
                    "Card reminder",
                    format!("Hello {name}, {me}. Your {card} has {remaining} sessions left; come in soon."),
                ),
                (
                    "birthday",
                    "Birthday",
                    format!("Happy birthday, {name}! {we} have a small gift for you at the salon. {beautician}"),
                ),
                (
                    "winback",
                    "Missed you",
                    format!(
                        "Hello {name}, {me}. We have not seen you for a while; there are new treatments to try. Welcome back."
                    ),
                ),
            ]
        }
    }
}
