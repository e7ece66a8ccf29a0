//! The care-plan rules (DOMAIN.md §5; 003 第二–第五节; 000 篇1 二 and 四) and the worklist
//! they generate. Pure: a customer's care facts, her classes, the policies and the salon's
//! local `today` in, tasks out. The salon's timezone only enters through `today`, which the
//! app computes in the salon's local time.

use std::collections::BTreeSet;

use jiff::Span;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::{TaskState, TaskStates};
use crate::classify::abc::ValueClass;
use crate::classify::lifecycle::Lifecycle;
use crate::classify::overrides::ClassSet;
use crate::classify::{Ledger, Policy, VisitKind};
use crate::customer::EntryId;
use crate::customer::{Account, CustomerFile};

/// A recurring day the salon greets customers on (妇女节 …), month and day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holiday {
    pub month: i8,
    pub day: i8,
    pub name: String,
}

/// The owner's care plan: when each kind of contact is due. Defaults follow the seeds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CarePolicy {
    /// A new customer is contacted within this many days of her first treatment.
    pub new_contact_days: i32,
    /// After a product purchase: calls this many days later (next day, a week, then monthly).
    pub product_call_days: Vec<i32>,
    /// A card expiring is raised this many days before its expiry.
    pub card_expiry_days: i32,
    /// A card with this many sessions left or fewer is raised.
    pub card_low_sessions: i64,
    /// Birthday greeting and gift reminder, this many days before.
    pub birthday_days_before: i32,
    pub holidays: Vec<Holiday>,
    /// Holiday greetings (A and B customers), this many days before.
    pub holiday_days_before: i32,
    /// A class: a visit or call this often; B: attention this often; C: a low-cost message.
    pub a_every_days: i32,
    pub b_every_days: i32,
    pub c_every_days: i32,
    /// Potential kinds 2 and 3: ask why she did not buy a card, this many days after.
    pub potential_ask_days: i32,
    /// Silent and lost: a win-back letter when she turns silent, a call this many days later.
    pub win_back_call_days: i32,
    /// A new beautician's first contact after a handover, within this many days.
    pub handover_days: i32,
    /// Overdue tasks older than this drop off the worklist.
    pub overdue_days: i32,
}

impl Default for CarePolicy {
    fn default() -> Self {
        let holiday = |month, day, name: &str| Holiday { month, day, name: name.to_owned() };
        CarePolicy {
            new_contact_days: 7,
            product_call_days: vec![1, 7, 30, 60, 90],
            card_expiry_days: 30,
            card_low_sessions: 2,
            birthday_days_before: 3,
            holidays: vec![holiday(1, 1, "元旦"), holiday(3, 8, "妇女节"), holiday(12, 25, "圣诞节")],
            holiday_days_before: 1,
            a_every_days: 30,
            b_every_days: 30,
            c_every_days: 90,
            potential_ask_days: 3,
            win_back_call_days: 7,
            handover_days: 3,
            overdue_days: 30,
        }
    }
}

/// Why a task exists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Reason {
    /// New customer: the first follow-up after her first treatment, within `within` days.
    FirstContact {
        first: Date,
        within: i32,
    },
    /// Products bought on `bought`: call number `step` (1 = next day …), `days` after.
    ProductCall {
        bought: Date,
        step: u8,
        days: i32,
    },
    CardExpiring {
        card: EntryId,
        item: String,
        expires: Date,
    },
    CardLow {
        card: EntryId,
        item: String,
        remaining: i64,
    },
    Birthday {
        on: Date,
    },
    Holiday {
        name: String,
        on: Date,
    },
    /// The class's regular contact, every `every` days: A a visit or call, B attention, C a
    /// message.
    ClassContact {
        class: ValueClass,
        every: i32,
    },
    /// Potential 2 or 3: ask why she did not buy a card.
    PotentialAsk {
        kind: u8,
    },
    WinBackLetter,
    WinBackCall,
    /// First contact from her new beautician.
    Handover {
        from: String,
        to: String,
    },
}

impl Reason {
    /// A greeting, offer or win-back letter: a marketing message, which needs her consent
    /// (the others are about her own treatments and cards).
    pub fn is_marketing(&self) -> bool {
        matches!(self, Reason::Birthday { .. } | Reason::Holiday { .. } | Reason::WinBackLetter)
    }

    /// The day the task is about, when it is about a day (her birthday, a holiday, a card's
    /// last day): after it, the task has missed its point.
    pub fn deadline(&self) -> Option<Date> {
        match self {
            Reason::Birthday { on } | Reason::Holiday { on, .. } => Some(*on),
            Reason::CardExpiring { expires, .. } => Some(*expires),
            _ => None,
        }
    }

    /// Whether a task that fell due before her file existed still stands, due the day the
    /// file was made: a state of hers (a card running low, her class's rhythm, a win-back)
    /// or a day still ahead does; a moment already past (a first contact, a call after a
    /// purchase) does not.
    fn carries_over(&self, created: Date) -> bool {
        match self {
            Reason::FirstContact { .. } | Reason::ProductCall { .. } | Reason::Handover { .. } => false,
            Reason::WinBackCall => false,
            other => other.deadline().is_none_or(|day| day >= created),
        }
    }

    /// The part of the task id that tells reasons apart on one day.
    fn key(&self) -> String {
        match self {
            Reason::FirstContact { .. } => "first".into(),
            Reason::ProductCall { bought, step, .. } => format!("product-{bought}-{step}"),
            Reason::CardExpiring { card, .. } => format!("card-expiring-{}", card.as_str()),
            Reason::CardLow { card, remaining, .. } => format!("card-low-{}-{remaining}", card.as_str()),
            Reason::Birthday { .. } => "birthday".into(),
            Reason::Holiday { name, .. } => format!("holiday-{name}"),
            Reason::ClassContact { .. } => "class".into(),
            Reason::PotentialAsk { .. } => "potential".into(),
            Reason::WinBackLetter => "win-back-letter".into(),
            Reason::WinBackCall => "win-back-call".into(),
            Reason::Handover { to, .. } => format!("handover-{to}"),
        }
    }
}

/// What kind of task a stored task id names (its reason without the details), so a decision
/// kept under the id can be told in words long after the task itself is gone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TaskKind {
    FirstContact,
    ProductCall,
    CardExpiring,
    CardLow,
    Birthday,
    Holiday,
    ClassContact,
    PotentialAsk,
    WinBackLetter,
    WinBackCall,
    Handover,
}

impl TaskKind {
    /// The kind of `<reason key>@<due>`, and the due day; `None` for an id this version does
    /// not know.
    pub fn of_task_id(id: &str) -> Option<(TaskKind, Date)> {
        let (key, due) = id.rsplit_once('@')?;
        let due = due.parse().ok()?;
        let kind = match key {
            "first" => TaskKind::FirstContact,
            "birthday" => TaskKind::Birthday,
            "class" => TaskKind::ClassContact,
            "potential" => TaskKind::PotentialAsk,
            "win-back-letter" => TaskKind::WinBackLetter,
            "win-back-call" => TaskKind::WinBackCall,
            k if k.starts_with("product-") => TaskKind::ProductCall,
            k if k.starts_with("card-expiring-") => TaskKind::CardExpiring,
            k if k.starts_with("card-low-") => TaskKind::CardLow,
            k if k.starts_with("holiday-") => TaskKind::Holiday,
            k if k.starts_with("handover-") => TaskKind::Handover,
            _ => return None,
        };
        Some((kind, due))
    }
}

/// How long a task can be snoozed for, in days, in the order the worklist offers them.
pub const SNOOZE_DAYS: [i32; 3] = [1, 3, 7];

/// What snoozing a task for some days would do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SnoozePlan {
    /// The day the task comes back, due on that day.
    pub until: Date,
    /// The day the task is about, when snoozing moves it past that day (a birthday greeting
    /// after the birthday): the worklist says so before it is done.
    pub misses: Option<Date>,
}

/// One thing to do for one customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Task {
    /// `<reason key>@<due>`: the same on every device for the same reason and day. Unique
    /// within the customer; the worklist pairs it with her id.
    pub id: String,
    pub customer: String,
    pub reason: Reason,
    pub due: Date,
    /// Whose list it is on: her assigned beautician (blank: the salon's).
    pub beautician: String,
}

impl Task {
    /// Snoozing it `days` from `today`, or from its due day when that is still ahead (a task
    /// due on Friday snoozed a day comes back on Saturday, never earlier than it was).
    pub fn snooze(&self, days: i32, today: Date) -> SnoozePlan {
        let until = plus(today.max(self.due), days.max(1));
        SnoozePlan { until, misses: self.reason.deadline().filter(|day| *day < until) }
    }
}

/// A card as the rules need it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CardDue {
    pub id: EntryId,
    pub item: String,
    pub expires_on: Option<Date>,
    pub remaining: i64,
}

/// A customer handed from one beautician to another on `on`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Handover {
    pub on: Date,
    pub from: String,
    pub to: String,
}

/// What the rules read about one customer; kept in her list entry, so the worklist of the
/// whole salon opens no document.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct CareFacts {
    pub id: String,
    /// The day her file was made (UTC date of its creation): no task starts overdue for a
    /// day before it.
    pub created: Option<Date>,
    pub beautician: String,
    pub birthday: Option<Date>,
    /// Days of every non-voided treatment, oldest first.
    pub treatments: Vec<Date>,
    /// Days of every non-voided visit, whatever it was.
    pub visits: Vec<Date>,
    /// Days products were bought.
    pub product_days: Vec<Date>,
    pub cards: Vec<CardDue>,
    /// Days of every non-voided contact in her follow-up log.
    pub contacted: Vec<Date>,
    /// Tasks that non-voided contacts answered.
    pub answered: BTreeSet<String>,
    pub states: TaskStates,
    pub handovers: Vec<Handover>,
    /// She withdrew her consent to marketing messages: no greeting, offer or win-back letter
    /// is raised for her (service calls about her treatments still are).
    #[serde(default)]
    pub no_marketing: bool,
}

fn plus(day: Date, days: i32) -> Date {
    day.checked_add(Span::new().days(days)).unwrap_or(day)
}

/// Her birthday in `year`; 29 February falls on 28 February in other years.
pub fn birthday_in(born: Date, year: i16) -> Option<Date> {
    Date::new(year, born.month(), born.day()).ok().or_else(|| Date::new(year, 2, 28).ok())
}

impl CareFacts {
    /// Her care facts, read from her file.
    pub fn of(file: &CustomerFile, today: Date) -> Self {
        let account = file.account(today);
        CareFacts::with(file, &Ledger::with(file, &account, today), &account)
    }

    /// Her care facts from a file whose ledger and account are already at hand.
    pub fn with(file: &CustomerFile, ledger: &Ledger, account: &Account) -> Self {
        let profile = &file.customer.profile;
        CareFacts {
            id: file.customer.id.as_str().to_owned(),
            created: Some(file.customer.created_on()),
            beautician: profile.beautician().to_owned(),
            birthday: profile.birthday().map(|b| b.date()),
            treatments: ledger.visits.iter().filter(|v| v.2 == VisitKind::Treatment).map(|v| v.0).collect(),
            visits: ledger.visits.iter().map(|v| v.0).collect(),
            product_days: file
                .visits
                .iter()
                .filter(|v| !v.voided && !v.products.trim().is_empty())
                .map(|v| v.at.date())
                .collect(),
            cards: account
                .open_cards()
                .map(|c| CardDue {
                    id: c.card.id.clone(),
                    item: c.card.item.clone(),
                    expires_on: c.card.expires_on,
                    remaining: c.remaining,
                })
                .collect(),
            contacted: file.contacts.iter().filter(|c| !c.voided).map(|c| c.at.date()).collect(),
            answered: file.contacts.iter().filter(|c| !c.voided).filter_map(|c| c.answers.clone()).collect(),
            states: file.task_states.clone(),
            handovers: file.handovers.clone(),
            no_marketing: file.consents.refuses(crate::customer::Purpose::Marketing),
        }
    }

    fn last_contact(&self) -> Option<Date> {
        self.contacted.iter().max().copied()
    }

    /// Every task the rules raise for her whose due day is in the worklist's window
    /// (`today` − overdue days … `today` + 7), before anyone acted on them. A task that would
    /// have fallen due before her file existed is due the day it was made, or not raised at
    /// all when its moment passed before then ([`Reason::carries_over`]).
    pub fn raised(&self, classes: &ClassSet, care: &CarePolicy, policy: &Policy, today: Date) -> Vec<Task> {
        let (from, to) = (plus(today, -care.overdue_days), plus(today, 7));
        let created = self.created.unwrap_or(Date::MIN);
        let any_snoozed = self.states.values().any(|s| matches!(s, TaskState::Snoozed { .. }));
        let mut out = Vec::new();
        let mut raise = |reason: Reason, due: Date| {
            if self.no_marketing && reason.is_marketing() {
                return;
            }
            let due = match due {
                due if due >= created => due,
                _ if reason.carries_over(created) => created,
                _ => return,
            };
            // Most candidates lie far in the past (every call after every old purchase): drop
            // them before building an id. One older than the window is still shown when it was
            // snoozed into it (a snoozed task never vanishes); only a customer with a snooze
            // pays for that look.
            if due > to || (due < from && !any_snoozed) {
                return;
            }
            let id = format!("{}@{due}", reason.key());
            if due < from && !matches!(self.states.get(&id), Some(TaskState::Snoozed { until }) if *until >= from) {
                return;
            }
            out.push(Task { id, customer: self.id.clone(), reason, due, beautician: self.beautician.clone() });
        };
        let first = self.treatments.first().copied();
        let last_treatment = self.treatments.last().copied();
        if let Some(first) = first {
            let within = care.new_contact_days;
            raise(Reason::FirstContact { first, within }, plus(first, within));
        }
        let product_days: BTreeSet<Date> = self.product_days.iter().copied().collect();
        for bought in product_days {
            for (step, days) in care.product_call_days.iter().enumerate() {
                raise(Reason::ProductCall { bought, step: step as u8 + 1, days: *days }, plus(bought, *days));
            }
        }
        for card in self.cards.iter().filter(|c| c.remaining > 0) {
            if let Some(expires) = card.expires_on
                && expires >= today
            {
                let due = plus(expires, -care.card_expiry_days).max(plus(today, -care.overdue_days));
                raise(Reason::CardExpiring { card: card.id.clone(), item: card.item.clone(), expires }, due);
            }
            if card.remaining <= care.card_low_sessions {
                let due = self.visits.last().copied().unwrap_or(today);
                raise(
                    Reason::CardLow { card: card.id.clone(), item: card.item.clone(), remaining: card.remaining },
                    due,
                );
            }
        }
        if let Some(born) = self.birthday {
            for year in [today.year() - 1, today.year(), today.year() + 1] {
                if let Some(on) = birthday_in(born, year) {
                    raise(Reason::Birthday { on }, plus(on, -care.birthday_days_before));
                }
            }
        }
        if matches!(classes.value, ValueClass::A | ValueClass::B) {
            for holiday in &care.holidays {
                for year in [today.year(), today.year() + 1] {
                    if let Ok(on) = Date::new(year, holiday.month, holiday.day) {
                        raise(Reason::Holiday { name: holiday.name.clone(), on }, plus(on, -care.holiday_days_before));
                    }
                }
            }
        }
        let active = matches!(classes.lifecycle, Lifecycle::Regular | Lifecycle::New { .. });
        if active && let Some(last_treatment) = last_treatment {
            let every = match classes.value {
                ValueClass::A => care.a_every_days,
                ValueClass::B => care.b_every_days,
                ValueClass::C => care.c_every_days,
            };
            let since =
                [Some(last_treatment), self.last_contact()].into_iter().flatten().max().unwrap_or(last_treatment);
            raise(Reason::ClassContact { class: classes.value, every }, plus(since, every));
        }
        if let Lifecycle::Potential(kind @ (2 | 3)) = classes.lifecycle
            && let Some(last) = self.visits.last()
        {
            raise(Reason::PotentialAsk { kind }, plus(*last, care.potential_ask_days));
        }
        if matches!(classes.lifecycle, Lifecycle::Silent | Lifecycle::Lost)
            && let Some(last) = last_treatment
        {
            // The day she turned silent by the policy's window; her own cadence may have
            // made her silent earlier, in which case the letter is due now.
            let letter = plus(last, policy.silent_days + 1).min(today).max(created);
            raise(Reason::WinBackLetter, letter);
            raise(Reason::WinBackCall, plus(letter, care.win_back_call_days));
        }
        for handover in &self.handovers {
            raise(
                Reason::Handover { from: handover.from.clone(), to: handover.to.clone() },
                plus(handover.on, care.handover_days),
            );
        }
        out
    }

    /// The raised tasks nobody has closed: not answered by a contact, not done or skipped,
    /// not snoozed past `today`. A snoozed task comes back due on the day it was snoozed to
    /// (under its own id), not on its old day. A first contact is also closed by any contact
    /// after her first treatment.
    pub fn open(&self, classes: &ClassSet, care: &CarePolicy, policy: &Policy, today: Date) -> Vec<Task> {
        self.worklist(classes, care, policy, today).0
    }

    /// The raised tasks snoozed to a day after `today`, with that day: what the worklist shows
    /// as snoozed, with an undo.
    pub fn snoozed(&self, classes: &ClassSet, care: &CarePolicy, policy: &Policy, today: Date) -> Vec<(Task, Date)> {
        self.worklist(classes, care, policy, today).1
    }

    /// Her open tasks and her snoozed ones, from one pass over the raised tasks.
    pub fn worklist(
        &self,
        classes: &ClassSet,
        care: &CarePolicy,
        policy: &Policy,
        today: Date,
    ) -> (Vec<Task>, Vec<(Task, Date)>) {
        let (mut open, mut snoozed) = (Vec::new(), Vec::new());
        for (mut task, state) in self.undecided(classes, care, policy, today) {
            match state {
                Some(TaskState::Done | TaskState::Skipped { .. }) => {}
                Some(TaskState::Snoozed { until }) if *until > today => snoozed.push((task, *until)),
                Some(TaskState::Snoozed { until }) => {
                    task.due = *until;
                    open.push(task);
                }
                None => open.push(task),
            }
        }
        (open, snoozed)
    }

    /// Raised tasks no contact answered, with their stored state.
    fn undecided<'a>(
        &'a self,
        classes: &ClassSet,
        care: &CarePolicy,
        policy: &Policy,
        today: Date,
    ) -> impl Iterator<Item = (Task, Option<&'a TaskState>)> + 'a {
        self.raised(classes, care, policy, today)
            .into_iter()
            .filter(|task| !self.answered.contains(&task.id))
            .filter(|task| match &task.reason {
                Reason::FirstContact { first, .. } => !self.contacted.iter().any(|day| day >= first),
                _ => true,
            })
            .map(|task| {
                let state = self.states.get(&task.id);
                (task, state)
            })
    }
}

/// Why a hand-over cannot be made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HandoverProblem {
    /// Nobody to hand the customers to.
    NoNewBeautician,
    /// The customers already belong to that beautician.
    SameBeautician,
    NoCustomers,
}

/// A hand-over from `from` to `to` of `customers` customers on `today`, checked.
pub fn plan_handover(from: &str, to: &str, customers: usize, today: Date) -> Result<Handover, HandoverProblem> {
    let (from, to) = (from.trim(), to.trim());
    match () {
        _ if to.is_empty() => Err(HandoverProblem::NoNewBeautician),
        _ if to == from => Err(HandoverProblem::SameBeautician),
        _ if customers == 0 => Err(HandoverProblem::NoCustomers),
        _ => Ok(Handover { on: today, from: from.to_owned(), to: to.to_owned() }),
    }
}

/// The salon's follow-ups on one day, from the list entries: every open task with its
/// customer's value class, and every snoozed one with the day it comes back.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SalonTasks {
    pub open: Vec<(Task, ValueClass)>,
    pub snoozed: Vec<(Task, Date)>,
}

/// Every customer's tasks (not in the bin, classified), under her classes in effect.
pub fn salon_tasks(
    customers: &[crate::customer::CustomerSummary],
    classes: &crate::classify::run::Classification,
    care: &CarePolicy,
    policy: &Policy,
    today: Date,
) -> SalonTasks {
    let mut tasks = SalonTasks::default();
    for summary in customers.iter().filter(|s| s.deleted_at.is_none()) {
        let Some(classified) = classes.get(&summary.id) else { continue };
        let effective = classified.effective;
        let (open, snoozed) = summary.care.worklist(&effective, care, policy, today);
        tasks.open.extend(open.into_iter().map(|t| (t, effective.value)));
        tasks.snoozed.extend(snoozed);
    }
    tasks
        .snoozed
        .sort_by(|(a, until_a), (b, until_b)| (until_a, &a.customer, &a.id).cmp(&(until_b, &b.customer, &b.id)));
    tasks
}

/// Where a task sits on the worklist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Bucket {
    Overdue,
    Today,
    ThisWeek,
}

impl Bucket {
    pub fn of(due: Date, today: Date) -> Bucket {
        match due.cmp(&today) {
            std::cmp::Ordering::Less => Bucket::Overdue,
            std::cmp::Ordering::Equal => Bucket::Today,
            std::cmp::Ordering::Greater => Bucket::ThisWeek,
        }
    }
}

/// Orders tasks for a worklist: overdue first (oldest first), then today, then the week;
/// within a day A-class customers first. `beautician` keeps only hers (and the salon's
/// unassigned ones); `None` is the whole salon.
pub fn worklist(mut tasks: Vec<(Task, ValueClass)>, beautician: Option<&str>, today: Date) -> Vec<(Bucket, Task)> {
    if let Some(name) = beautician {
        tasks.retain(|(t, _)| t.beautician == name || t.beautician.is_empty());
    }
    tasks.sort_by(|(a, ca), (b, cb)| (a.due, ca, &a.customer, &a.id).cmp(&(b.due, cb, &b.customer, &b.id)));
    tasks.into_iter().map(|(t, _)| (Bucket::of(t.due, today), t)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::grade::Grade;
    use crate::classify::rfm::Segment;
    use jiff::civil::date;

    const TODAY: Date = date(2026, 11, 24);

    fn classes(value: ValueClass, lifecycle: Lifecycle) -> ClassSet {
        ClassSet { value, lifecycle, grade: Grade::C, segment: Segment::Loyal }
    }

    fn regular_c() -> ClassSet {
        classes(ValueClass::C, Lifecycle::Regular)
    }

    fn her() -> CareFacts {
        CareFacts { id: "c1".into(), beautician: "小美".into(), ..CareFacts::default() }
    }

    fn open(facts: &CareFacts, classes: &ClassSet, today: Date) -> Vec<Task> {
        facts.open(classes, &CarePolicy::default(), &Policy::default(), today)
    }

    fn reasons(tasks: &[Task]) -> Vec<String> {
        tasks.iter().map(|t| t.id.clone()).collect()
    }

    fn contact(facts: &mut CareFacts, on: Date, answers: Option<&str>) {
        facts.contacted.push(on);
        facts.answered.extend(answers.map(str::to_owned));
    }

    #[test]
    fn a_new_customer_is_contacted_within_a_week_and_any_contact_closes_it() {
        let mut facts = her();
        facts.treatments = vec![date(2026, 11, 20)];
        facts.visits = facts.treatments.clone();
        let new = classes(ValueClass::C, Lifecycle::New { free_card: false });
        let tasks = open(&facts, &new, TODAY);
        let first = tasks.iter().find(|t| matches!(t.reason, Reason::FirstContact { .. })).expect("first contact");
        assert_eq!(first.due, date(2026, 11, 27));
        assert_eq!(first.id, "first@2026-11-27");
        assert_eq!(Bucket::of(first.due, TODAY), Bucket::ThisWeek);
        contact(&mut facts, date(2026, 11, 22), None);
        assert!(open(&facts, &new, TODAY).iter().all(|t| !matches!(t.reason, Reason::FirstContact { .. })));
    }

    #[test]
    fn a_product_purchase_brings_calls_the_next_day_a_week_and_monthly() {
        let mut facts = her();
        facts.product_days = vec![date(2026, 11, 23)];
        let ids = reasons(&open(&facts, &regular_c(), TODAY));
        assert!(ids.contains(&"product-2026-11-23-1@2026-11-24".to_owned()), "{ids:?}");
        assert!(ids.contains(&"product-2026-11-23-2@2026-11-30".to_owned()), "{ids:?}");
        assert!(!ids.iter().any(|id| id.ends_with("@2026-12-23")), "a month on is beyond this week");
        let later = reasons(&open(&facts, &regular_c(), date(2026, 12, 20)));
        assert!(later.contains(&"product-2026-11-23-3@2026-12-23".to_owned()), "{later:?}");
    }

    #[test]
    fn a_card_expiring_today_is_raised_one_that_expired_yesterday_is_not() {
        let card = |id: u8, expires: Date| CardDue {
            id: EntryId::from_random([id; 16]),
            item: "面部补水".into(),
            expires_on: Some(expires),
            remaining: 5,
        };
        let mut facts = her();
        facts.cards =
            vec![card(1, TODAY), card(2, date(2026, 11, 23)), card(3, date(2026, 11, 25)), card(4, date(2027, 3, 1))];
        let tasks = open(&facts, &regular_c(), TODAY);
        let expiring: Vec<Date> = tasks
            .iter()
            .filter_map(|t| match &t.reason {
                Reason::CardExpiring { expires, .. } => Some(*expires),
                _ => None,
            })
            .collect();
        assert!(expiring.contains(&TODAY), "expires today: still usable today, raise it");
        assert!(expiring.contains(&date(2026, 11, 25)), "expires tomorrow");
        assert!(!expiring.contains(&date(2026, 11, 23)), "expired yesterday: too late");
        assert!(!expiring.contains(&date(2027, 3, 1)), "months away");
        let soon =
            tasks.iter().find(|t| matches!(&t.reason, Reason::CardExpiring { expires, .. } if *expires == TODAY));
        assert_eq!(
            soon.map(|t| Bucket::of(t.due, TODAY)),
            Some(Bucket::Overdue),
            "it should have been raised 30 days ago"
        );
    }

    #[test]
    fn one_or_two_sessions_left_is_raised_once_per_count() {
        let mut facts = her();
        facts.visits = vec![date(2026, 11, 22)];
        facts.cards =
            vec![CardDue { id: EntryId::from_random([1; 16]), item: "肩颈".into(), expires_on: None, remaining: 2 }];
        let ids = reasons(&open(&facts, &regular_c(), TODAY));
        assert!(ids.iter().any(|id| id.starts_with("card-low-") && id.contains("-2@2026-11-22")), "{ids:?}");
        facts.cards[0].remaining = 3;
        assert!(!reasons(&open(&facts, &regular_c(), TODAY)).iter().any(|id| id.starts_with("card-low-")));
    }

    #[test]
    fn a_29_february_birthday_is_greeted_on_28_february_in_other_years() {
        assert_eq!(birthday_in(date(1996, 2, 29), 2027), Some(date(2027, 2, 28)));
        assert_eq!(birthday_in(date(1996, 2, 29), 2028), Some(date(2028, 2, 29)));
        let mut facts = her();
        facts.birthday = Some(date(1996, 2, 29));
        let tasks = open(&facts, &regular_c(), date(2027, 2, 24));
        let birthday = tasks.iter().find(|t| matches!(t.reason, Reason::Birthday { .. })).expect("birthday");
        assert_eq!(birthday.reason, Reason::Birthday { on: date(2027, 2, 28) });
        assert_eq!(birthday.due, date(2027, 2, 25), "three days before, for the gift");
    }

    #[test]
    fn holidays_are_for_a_and_b_customers() {
        let facts = her();
        let day = date(2027, 3, 5);
        let a = open(&facts, &classes(ValueClass::A, Lifecycle::Regular), day);
        assert!(a.iter().any(|t| matches!(&t.reason, Reason::Holiday { name, .. } if name == "妇女节")));
        assert!(!open(&facts, &regular_c(), day).iter().any(|t| matches!(t.reason, Reason::Holiday { .. })));
    }

    #[test]
    fn each_value_class_has_its_rhythm_and_a_contact_moves_it() {
        let mut facts = her();
        facts.treatments = vec![date(2026, 10, 20)];
        let due = |facts: &CareFacts, value| {
            open(facts, &classes(value, Lifecycle::Regular), TODAY)
                .into_iter()
                .find(|t| matches!(t.reason, Reason::ClassContact { .. }))
                .map(|t| t.due)
        };
        assert_eq!(due(&facts, ValueClass::A), Some(date(2026, 11, 19)), "A: monthly");
        assert_eq!(due(&facts, ValueClass::C), None, "C: every 90 days, not yet in the window");
        contact(&mut facts, date(2026, 11, 20), None);
        assert_eq!(due(&facts, ValueClass::A), None, "called on the 20th: next due 20 December");
    }

    #[test]
    fn potential_customers_are_asked_why_and_silent_ones_get_a_letter_then_a_call() {
        let mut facts = her();
        facts.visits = vec![date(2026, 11, 20)];
        let asked = open(&facts, &classes(ValueClass::C, Lifecycle::Potential(3)), TODAY);
        assert_eq!(
            asked.iter().find(|t| matches!(t.reason, Reason::PotentialAsk { kind: 3 })).map(|t| t.due),
            Some(date(2026, 11, 23))
        );
        assert!(
            open(&facts, &classes(ValueClass::C, Lifecycle::Potential(4)), TODAY).is_empty(),
            "not reached: nothing to ask"
        );

        let mut silent = her();
        silent.treatments = vec![date(2026, 8, 20)];
        let tasks = open(&silent, &classes(ValueClass::C, Lifecycle::Silent), TODAY);
        let letter = tasks.iter().find(|t| t.reason == Reason::WinBackLetter).expect("letter");
        assert_eq!(letter.due, date(2026, 11, 19), "91 days after her last treatment");
        assert_eq!(tasks.iter().find(|t| t.reason == Reason::WinBackCall).map(|t| t.due), Some(date(2026, 11, 26)));
    }

    #[test]
    fn a_customer_who_withdrew_marketing_consent_gets_no_greeting_offer_or_letter_but_her_service_calls() {
        let mut facts = her();
        facts.birthday = Some(date(1990, 11, 26));
        facts.treatments = vec![date(2026, 8, 20)];
        facts.product_days = vec![date(2026, 11, 23)];
        let silent = classes(ValueClass::A, Lifecycle::Silent);
        let with = open(&facts, &silent, TODAY);
        assert!(with.iter().any(|t| matches!(t.reason, Reason::Birthday { .. })), "{:?}", reasons(&with));
        assert!(with.iter().any(|t| t.reason == Reason::WinBackLetter));
        facts.no_marketing = true;
        let without = open(&facts, &silent, TODAY);
        assert!(without.iter().all(|t| !t.reason.is_marketing()), "{:?}", reasons(&without));
        assert!(without.iter().any(|t| matches!(t.reason, Reason::ProductCall { .. })), "service calls stay");
        assert!(without.iter().any(|t| t.reason == Reason::WinBackCall), "a call to ask how she is stays");
    }

    #[test]
    fn done_skipped_snoozed_and_answered_tasks_leave_the_list_until_their_day() {
        let mut facts = her();
        facts.product_days = vec![date(2026, 11, 23)];
        let next_day = "product-2026-11-23-1@2026-11-24";
        let week = "product-2026-11-23-2@2026-11-30";
        facts.states.insert(week.into(), TaskState::Snoozed { until: date(2026, 11, 26) });
        let ids = reasons(&open(&facts, &regular_c(), TODAY));
        assert!(ids.contains(&next_day.to_owned()) && !ids.contains(&week.to_owned()), "{ids:?}");
        assert!(reasons(&open(&facts, &regular_c(), date(2026, 11, 26))).contains(&week.to_owned()), "back on its day");
        contact(&mut facts, TODAY, Some(next_day));
        facts.states.insert(
            week.into(),
            TaskState::Skipped { reason: "已到店当面说明".into(), on: Some(TODAY), by: "小美".into() },
        );
        assert!(
            reasons(&open(&facts, &regular_c(), date(2026, 11, 26)))
                .iter()
                .all(|id| !id.starts_with("product-2026-11-23-1") && id != week)
        );
    }

    #[test]
    fn a_task_never_starts_overdue_for_a_day_before_her_file_existed() {
        let mut facts = her();
        facts.created = Some(TODAY);
        // Her birthday is in two days: the greeting was due yesterday, but her file is new.
        facts.birthday = Some(date(1990, 11, 26));
        let tasks = open(&facts, &regular_c(), TODAY);
        let birthday = tasks.iter().find(|t| matches!(t.reason, Reason::Birthday { .. })).expect("birthday");
        assert_eq!((birthday.due, Bucket::of(birthday.due, TODAY)), (TODAY, Bucket::Today));
        assert!(tasks.iter().all(|t| Bucket::of(t.due, TODAY) != Bucket::Overdue), "{tasks:?}");
        // A birthday that passed before her file existed is not greeted late.
        facts.birthday = Some(date(1990, 11, 20));
        assert!(!open(&facts, &regular_c(), TODAY).iter().any(|t| matches!(t.reason, Reason::Birthday { .. })));
        // An imported A customer last treated seven weeks ago is due for her call today, not
        // overdue since October; calls after a purchase made before the file existed are gone.
        facts.birthday = None;
        facts.treatments = vec![date(2026, 10, 4)];
        facts.product_days = vec![date(2026, 11, 14)];
        let tasks = open(&facts, &classes(ValueClass::A, Lifecycle::Regular), TODAY);
        let class = tasks.iter().find(|t| matches!(t.reason, Reason::ClassContact { .. })).expect("class contact");
        assert_eq!(class.due, TODAY);
        assert!(!tasks.iter().any(|t| matches!(t.reason, Reason::ProductCall { .. })), "{tasks:?}");
        // The same facts on a file made long ago: the call is overdue, as it should be.
        facts.created = Some(date(2025, 1, 1));
        let tasks = open(&facts, &classes(ValueClass::A, Lifecycle::Regular), TODAY);
        assert!(tasks.iter().any(|t| matches!(t.reason, Reason::ClassContact { .. }) && t.due < TODAY));
    }

    #[test]
    fn a_snoozed_task_is_listed_until_its_new_day_and_then_due_on_it() {
        let mut facts = her();
        facts.product_days = vec![date(2026, 11, 20)];
        let id = "product-2026-11-20-1@2026-11-21";
        assert!(reasons(&open(&facts, &regular_c(), TODAY)).contains(&id.to_owned()), "overdue since the 21st");
        facts.states.insert(id.into(), TaskState::Snoozed { until: date(2026, 11, 27) });
        assert!(!reasons(&open(&facts, &regular_c(), TODAY)).contains(&id.to_owned()));
        let snoozed = facts.snoozed(&regular_c(), &CarePolicy::default(), &Policy::default(), TODAY);
        assert_eq!(
            snoozed.iter().map(|(t, until)| (t.id.as_str(), *until)).collect::<Vec<_>>(),
            [(id, date(2026, 11, 27))]
        );
        let back = open(&facts, &regular_c(), date(2026, 11, 27));
        let task = back.iter().find(|t| t.id == id).expect("back on its day");
        assert_eq!((task.due, Bucket::of(task.due, date(2026, 11, 27))), (date(2026, 11, 27), Bucket::Today));
        // Undo: the state is cleared and the task is what it was.
        facts.states.remove(id);
        assert!(facts.snoozed(&regular_c(), &CarePolicy::default(), &Policy::default(), TODAY).is_empty());
    }

    #[test]
    fn snoozing_never_brings_a_task_back_earlier_and_a_long_overdue_one_never_vanishes() {
        let mut facts = her();
        // The week-after call of a purchase two days ago is due in five days.
        facts.product_days = vec![date(2026, 11, 22)];
        let week = open(&facts, &regular_c(), TODAY)
            .into_iter()
            .find(|t| t.id == "product-2026-11-22-2@2026-11-29")
            .expect("due this week");
        assert_eq!(week.snooze(1, TODAY).until, date(2026, 11, 30), "a day after its due day, not tomorrow");
        // Twenty-five days overdue, snoozed a week: it is due then, though its own day has
        // left the worklist's 30-day window by then.
        let mut late = her();
        late.product_days = vec![date(2026, 10, 29)];
        let id = "product-2026-10-29-1@2026-10-30";
        assert!(reasons(&open(&late, &regular_c(), TODAY)).contains(&id.to_owned()));
        late.states.insert(id.into(), TaskState::Snoozed { until: date(2026, 12, 1) });
        let day = date(2026, 12, 1);
        let back = open(&late, &regular_c(), day);
        assert_eq!(back.iter().find(|t| t.id == id).map(|t| t.due), Some(day), "{back:?}");
    }

    #[test]
    fn snoozing_a_birthday_greeting_past_the_birthday_says_so() {
        let mut facts = her();
        facts.birthday = Some(date(1990, 11, 26));
        let task = open(&facts, &regular_c(), TODAY)
            .into_iter()
            .find(|t| matches!(t.reason, Reason::Birthday { .. }))
            .expect("birthday greeting");
        assert_eq!(task.snooze(1, TODAY), SnoozePlan { until: date(2026, 11, 25), misses: None });
        assert_eq!(task.snooze(2, TODAY).misses, None, "on the birthday itself is still in time");
        assert_eq!(task.snooze(3, TODAY).misses, Some(date(2026, 11, 26)));
        let call = Task { reason: Reason::WinBackCall, ..task };
        assert_eq!(call.snooze(SNOOZE_DAYS[2], TODAY).misses, None, "a call has no day to miss");
    }

    #[test]
    fn a_stored_task_id_tells_its_kind_and_day() {
        assert_eq!(TaskKind::of_task_id("birthday@2026-11-23"), Some((TaskKind::Birthday, date(2026, 11, 23))));
        assert_eq!(
            TaskKind::of_task_id("product-2026-11-20-1@2026-11-21"),
            Some((TaskKind::ProductCall, date(2026, 11, 21)))
        );
        assert_eq!(TaskKind::of_task_id("handover-小美@2026-11-26").map(|k| k.0), Some(TaskKind::Handover));
        assert_eq!(TaskKind::of_task_id("mystery@2026-11-26"), None);
        assert_eq!(TaskKind::of_task_id("birthday"), None);
    }

    #[test]
    fn a_hand_over_needs_someone_else_and_customers() {
        assert_eq!(plan_handover("阿琳", " ", 3, TODAY), Err(HandoverProblem::NoNewBeautician));
        assert_eq!(plan_handover("阿琳", "阿琳 ", 3, TODAY), Err(HandoverProblem::SameBeautician));
        assert_eq!(plan_handover("阿琳", "小美", 0, TODAY), Err(HandoverProblem::NoCustomers));
        assert_eq!(
            plan_handover(" 阿琳", "小美 ", 3, TODAY),
            Ok(Handover { on: TODAY, from: "阿琳".into(), to: "小美".into() })
        );
    }

    #[test]
    fn two_tablets_generate_the_same_tasks_and_the_worklist_orders_them() {
        let mut facts = her();
        facts.product_days = vec![date(2026, 11, 1)];
        facts.handovers = vec![Handover { on: date(2026, 11, 23), from: "阿琳".into(), to: "小美".into() }];
        let one = open(&facts, &regular_c(), TODAY);
        assert_eq!(one, open(&facts.clone(), &regular_c(), TODAY), "deterministic");
        let mut other = her();
        other.id = "c2".into();
        other.beautician = "阿琳".into();
        other.product_days = vec![date(2026, 11, 23)];
        let mut all: Vec<(Task, ValueClass)> = one.into_iter().map(|t| (t, ValueClass::C)).collect();
        all.extend(open(&other, &regular_c(), TODAY).into_iter().map(|t| (t, ValueClass::A)));
        let list = worklist(all.clone(), None, TODAY);
        assert!(list.windows(2).all(|w| w[0].1.due <= w[1].1.due), "by due day");
        assert_eq!(list[0].0, Bucket::Overdue, "the week-after call of 1 November is overdue");
        let hers = worklist(all, Some("小美"), TODAY);
        assert!(hers.iter().all(|(_, t)| t.beautician == "小美"));
        assert!(hers.iter().any(|(_, t)| matches!(&t.reason, Reason::Handover { from, .. } if from == "阿琳")));
    }
}
