//! The classification's words: dimensions, classes, the reasons behind a class, the policy
//! form and the AHP matrix, in both languages.

use domain::classify::PolicyField;
use domain::classify::abc::ValueClass;
use domain::classify::ahp::{AhpError, Judgement};
use domain::classify::composite::Indicator;
use domain::classify::grade::Grade;
use domain::classify::lifecycle::Lifecycle;
use domain::classify::overrides::{Class, Dimension};
use domain::classify::rfm::Segment;
use domain::classify::run::Why;

use super::{Locale, Texts};

pub use domain::classify::policy::percent_text as percent;

impl Texts {
    fn zh(&self) -> bool {
        self.locale == Locale::ZhCn
    }

    pub fn dimension(&self, dimension: Dimension) -> &'static str {
        match dimension {
            Dimension::Value => self.pick("价值分类（ABC）", "Value (ABC)"),
            Dimension::Lifecycle => self.pick("客户阶段", "Lifecycle"),
            Dimension::Grade => self.pick("客户等级", "Grade"),
            Dimension::Segment => self.pick("RFM 分群", "RFM segment"),
        }
    }

    pub fn class(&self, class: Class) -> &'static str {
        match class {
            Class::Value(ValueClass::A) => self.pick("A类", "Class A"),
            Class::Value(ValueClass::B) => self.pick("B类", "Class B"),
            Class::Value(ValueClass::C) => self.pick("C类", "Class C"),
            Class::Lifecycle(Lifecycle::New { free_card: false }) => self.pick("新客", "New"),
            Class::Lifecycle(Lifecycle::New { free_card: true }) => self.pick("新客（体验卡）", "New (free card)"),
            Class::Lifecycle(Lifecycle::Regular) => self.pick("老顾客", "Regular"),
            Class::Lifecycle(Lifecycle::Silent) => self.pick("沉睡", "Silent"),
            Class::Lifecycle(Lifecycle::Lost) => self.pick("流失", "Lost"),
            Class::Lifecycle(Lifecycle::Potential(1)) => self.pick("潜在·只买产品", "Potential: products only"),
            Class::Lifecycle(Lifecycle::Potential(2)) => self.pick("潜在·做过一次", "Potential: one treatment"),
            Class::Lifecycle(Lifecycle::Potential(3)) => self.pick("潜在·只咨询", "Potential: consulted"),
            Class::Lifecycle(Lifecycle::Potential(_)) => self.pick("潜在·未到店", "Potential: not reached"),
            Class::Grade(Grade::A) => self.pick("A级", "Grade A"),
            Class::Grade(Grade::B) => self.pick("B级", "Grade B"),
            Class::Grade(Grade::C) => self.pick("C级", "Grade C"),
            Class::Grade(Grade::D) => self.pick("D级", "Grade D"),
            Class::Segment(Segment::Champion) => self.pick("重要价值", "Champion"),
            Class::Segment(Segment::Loyal) => self.pick("忠诚", "Loyal"),
            Class::Segment(Segment::Promising) => self.pick("有潜力", "Promising"),
            Class::Segment(Segment::NeedsAttention) => self.pick("需关注", "Needs attention"),
            Class::Segment(Segment::AtRisk) => self.pick("流失风险", "At risk"),
            Class::Segment(Segment::Hibernating) => self.pick("休眠", "Hibernating"),
            Class::Segment(Segment::NoHistory) => self.pick("无护理记录", "No history"),
        }
    }

    /// The facts behind one class, as one sentence.
    pub fn why(&self, why: &Why) -> String {
        let zh = self.zh();
        match why {
            Why::ValueRanked { spend, months, rank, of, top_bp, class, a_bp, ab_bp, a_count, ab_count } => {
                let (class, top, a, ab) =
                    (self.class(Class::Value(*class)), percent(*top_bp), percent(*a_bp), percent(*ab_bp));
                let spend = spend.display();
                let b_count = ab_count - a_count;
                if zh {
                    format!(
                        "近 {months} 个月消费 {spend}，排名第 {rank} / {of}，前 {top}% → {class}（A类为前 {a}%，即 {a_count} 位；B类到前 {ab}%，即 {b_count} 位；没有消费为C类）"
                    )
                } else {
                    format!(
                        "Spent {spend} in {months} months, rank {rank} of {of}, top {top}% → {class} (A is the top {a}%, here {a_count}; B down to the top {ab}%, here {b_count}; no spend is C)"
                    )
                }
            }
            Why::ValueProbation { spend, months, since, until, by_spend, spend_rank, of_all } => {
                let (spend, by) = (spend.display(), self.class(Class::Value(*by_spend)));
                if zh {
                    format!(
                        "{since} 成为顾客，考察期到 {until}，暂列C类；按近 {months} 个月消费 {spend}，在全店 {of_all} 位顾客中排第 {spend_rank}，相当于{by}"
                    )
                } else {
                    format!(
                        "A customer since {since}, in probation until {until}: class C for now. By her {spend} in {months} months she ranks {spend_rank} of all {of_all} customers, which would be {by}"
                    )
                }
            }
            Why::Lifecycle {
                stage,
                treatments,
                days_since_last,
                usual_interval,
                new_days,
                silent_days,
                lost_days,
                cadence_pct,
            } => {
                let since = days_since_last.unwrap_or_default();
                let ago = self.days_ago(since);
                let usual = usual_interval
                    .map(|u| {
                        if zh {
                            format!("，平时约每 {u} 天来一次")
                        } else {
                            format!("; she usually comes every {u} days")
                        }
                    })
                    .unwrap_or_default();
                match (stage, zh) {
                    (Lifecycle::Potential(1), true) => "只买过产品，还没有做过护理、办卡或储值".into(),
                    (Lifecycle::Potential(1), false) => "Bought products only: no treatment, card or top-up yet".into(),
                    (Lifecycle::Potential(2), true) => "只做过一次护理，没有办卡或储值".into(),
                    (Lifecycle::Potential(2), false) => "One treatment only, no card or top-up".into(),
                    (Lifecycle::Potential(3), true) => "来咨询过，没有消费".into(),
                    (Lifecycle::Potential(3), false) => "Came to ask, bought nothing".into(),
                    (Lifecycle::Potential(_), true) => "还没有到过店".into(),
                    (Lifecycle::Potential(_), false) => "Has not come to the salon yet".into(),
                    (Lifecycle::New { .. }, true) => format!("第一次护理：{ago}（{new_days} 天内算新客）"),
                    (Lifecycle::New { .. }, false) => format!("First treatment {ago} (new for {new_days} days)"),
                    (Lifecycle::Regular, true) => {
                        format!("来店护理 {treatments} 天，最近一次：{ago}（超过 {silent_days} 天算沉睡）{usual}")
                    }
                    (Lifecycle::Regular, false) => {
                        format!("Treated on {treatments} days, the last {ago} (silent after {silent_days}){usual}")
                    }
                    (Lifecycle::Silent, true) if since <= *silent_days => {
                        format!("最近一次护理：{ago}，超过了她平时间隔的 {cadence_pct}%{usual}")
                    }
                    (Lifecycle::Silent, false) if since <= *silent_days => {
                        format!("Last treatment {ago}, past {cadence_pct}% of her usual interval{usual}")
                    }
                    (Lifecycle::Silent, true) => {
                        format!("最近一次护理：{ago}，超过 {silent_days} 天（超过 {lost_days} 天算流失）")
                    }
                    (Lifecycle::Silent, false) => {
                        format!("Last treatment {ago}, over {silent_days} days (lost after {lost_days})")
                    }
                    (Lifecycle::Lost, true) => format!("最近一次护理：{ago}，超过 {lost_days} 天"),
                    (Lifecycle::Lost, false) => format!("Last treatment {ago}, over {lost_days} days"),
                }
            }
            Why::Grade { grade, by_activity, spend, visits, months, debt, debt_limit, lowered } => {
                let (by, grade, spend) =
                    (self.class(Class::Grade(*by_activity)), self.class(Class::Grade(*grade)), spend.display());
                let (debt, limit) = (debt.display(), debt_limit.display());
                match (lowered, zh) {
                    (false, true) => format!("近 {months} 个月消费 {spend}、到店 {visits} 次 → {grade}"),
                    (false, false) => format!("Spent {spend} and came {visits} times in {months} months → {grade}"),
                    (true, true) => format!(
                        "近 {months} 个月消费 {spend}、到店 {visits} 次 → {by}；欠款 {debt} 超过 {limit}，降一级 → {grade}"
                    ),
                    (true, false) => format!(
                        "Spent {spend} and came {visits} times in {months} months → {by}; owes {debt}, over {limit}, one lower → {grade}"
                    ),
                }
            }
            Why::Segment { scores, past_cadence, usual_interval, treatment_days, .. } => match (scores, zh) {
                (None, true) => "还没有护理记录，无法评分".into(),
                (None, false) => "No treatment yet, nothing to score".into(),
                (Some((r, f, m)), _) => {
                    let base = if zh {
                        format!("最近度 R{r}、频率 F{f}、金额 M{m}（1–5 分，5 最好，与本店其他顾客相比）")
                    } else {
                        format!(
                            "Recency R{r}, frequency F{f}, monetary M{m} (1–5 against the salon's other customers, 5 best)"
                        )
                    };
                    let min = domain::classify::CADENCE_MIN_DAYS;
                    match (past_cadence, usual_interval, zh) {
                        (true, Some(u), true) => format!("{base}；已超过她平时每 {u} 天一次的节奏"),
                        (true, Some(u), false) => format!("{base}; past her own rhythm of every {u} days"),
                        _ if *treatment_days < min && zh => {
                            format!("{base}；只来过 {treatment_days} 天，来满 {min} 天后才看是否忠诚")
                        }
                        _ if *treatment_days < min => {
                            format!("{base}; she came on {treatment_days} day(s) only: loyalty is judged from {min}")
                        }
                        _ => base,
                    }
                }
            },
            Why::Composite { index, rank, .. } => {
                if zh {
                    format!("综合指数 {index:.1}（满分 100），全店排名第 {rank}")
                } else {
                    format!("Composite index {index:.1} of 100, rank {rank} in the salon")
                }
            }
        }
    }

    /// A number of days back from today: "今天", "昨天", "3 天前".
    pub fn days_ago(&self, days: i32) -> String {
        match (days, self.zh()) {
            (0, true) => "今天".into(),
            (1, true) => "昨天".into(),
            (n, true) => format!("{n} 天前"),
            (0, false) => "today".into(),
            (1, false) => "yesterday".into(),
            (n, false) => format!("{n} days ago"),
        }
    }

    pub fn policy_field(&self, field: PolicyField) -> &'static str {
        match field {
            PolicyField::PeriodMonths => self.pick("统计周期（月）", "Period (months)"),
            PolicyField::AShare => self.pick("A类比例（%）", "Class A share (%)"),
            PolicyField::AbShare => self.pick("A+B类比例（%）", "Classes A+B share (%)"),
            PolicyField::ProbationMonths => self.pick("新顾客考察期（月）", "Probation (months)"),
            PolicyField::NewDays => self.pick("新客期（天）", "New for (days)"),
            PolicyField::SilentDays => self.pick("多少天未到店算沉睡", "Silent after (days)"),
            PolicyField::LostDays => self.pick("多少天未到店算流失", "Lost after (days)"),
            PolicyField::CadencePct => {
                self.pick("超过本人平时间隔的（%）也算沉睡", "Also silent past her usual interval (%)")
            }
            PolicyField::ASpend => self.pick("A级：消费至少（元）", "Grade A: spend at least (¥)"),
            PolicyField::AVisits => self.pick("A级：到店至少（次）", "Grade A: visits at least"),
            PolicyField::BSpend => self.pick("B级：消费至少（元）", "Grade B: spend at least (¥)"),
            PolicyField::BVisits => self.pick("B级：到店至少（次）", "Grade B: visits at least"),
            PolicyField::CSpend => self.pick("C级：消费至少（元）", "Grade C: spend at least (¥)"),
            PolicyField::CVisits => self.pick("C级：到店至少（次）", "Grade C: visits at least"),
            PolicyField::DebtLimit => self.pick("欠款超过（元）降一级", "Debt above (¥) lowers one grade"),
        }
    }

    pub fn indicator(&self, indicator: Indicator) -> &'static str {
        match indicator {
            Indicator::Spend => self.pick("消费金额", "Spend"),
            Indicator::Frequency => self.pick("到店频率", "Visit frequency"),
            Indicator::Referrals => self.pick("介绍顾客", "Referrals"),
            Indicator::CardBalance => self.pick("卡内余值", "Card balance"),
            Indicator::Tenure => self.pick("客龄", "Tenure"),
        }
    }

    /// A judgement on Saaty's scale with its meaning: "3 稍重要", "1/5 …".
    pub fn judgement(&self, j: Judgement) -> String {
        let strength = j.num.max(j.den);
        let word = match strength {
            1 => self.pick("同样重要", "equal"),
            2 | 3 => self.pick("稍重要", "moderately more"),
            4 | 5 => self.pick("明显重要", "strongly more"),
            6 | 7 => self.pick("强烈重要", "very strongly more"),
            _ => self.pick("极端重要", "extremely more"),
        };
        match (j.den, strength) {
            (_, 1) => format!("1 {word}"),
            (1, _) => format!("{} {word}", j.num),
            _ => format!("1/{} {}", j.den, self.pick("（相反）", "(the other way)")),
        }
    }

    pub fn ahp_error(&self, error: &AhpError) -> String {
        match (error, self.zh()) {
            (AhpError::Inconsistent { ratio, .. }, true) => format!(
                "比较结果前后矛盾：一致性比率 CR = {ratio:.3}，超过 0.1。请检查有没有循环（例如 甲比乙重要、乙比丙重要，却又 丙比甲重要），调整后再保存。"
            ),
            (AhpError::Inconsistent { ratio, .. }, false) => format!(
                "The comparisons contradict each other: consistency ratio CR = {ratio:.3}, above 0.1. Look for a loop (A over B, B over C, yet C over A) and adjust before saving."
            ),
            (_, true) => "比较矩阵不完整，请每一格都选择。".into(),
            (_, false) => "The comparison matrix is incomplete; choose every cell.".into(),
        }
    }

    pub fn ahp_consistent(&self, ratio: f64) -> String {
        if self.zh() {
            format!("一致性比率 CR = {ratio:.3}（不超过 0.1，可以使用）")
        } else {
            format!("Consistency ratio CR = {ratio:.3} (0.1 or less: usable)")
        }
    }

    /// The 80/20 check: what share of revenue the top 20% bring.
    pub fn top_share(&self, customers_bp: u32, revenue_bp: u32) -> String {
        let (c, r) = (percent(customers_bp), percent(revenue_bp));
        if self.zh() {
            format!("消费最多的前 {c}% 顾客贡献了 {r}% 的营业额")
        } else {
            format!("The top {c}% of customers by spend bring {r}% of revenue")
        }
    }

    /// How many customers are in probation (C for now) and what they are by spend alone.
    pub fn probation_note(&self, count: usize, months: i8, by_spend: [usize; 3]) -> String {
        let [a, b, c] = by_spend;
        if self.zh() {
            format!(
                "{count} 位顾客成为顾客未满 {months} 个月，还在考察期，暂列C类，所以上表的 A、B类可能很少。按消费她们相当于：A类 {a} 位、B类 {b} 位、C类 {c} 位（考察期从第一次到店或入会日期算起）。"
            )
        } else {
            format!(
                "{count} customers joined less than {months} months ago and are in probation, class C for now, so the table may show few A or B. By spend they would be: {a} A, {b} B, {c} C (probation counts from the first visit or the member-since date)."
            )
        }
    }

    pub fn snapshot_taken(&self, month: &str, on: &str) -> String {
        if self.zh() {
            format!("{month} 月快照（{on} 记录）")
        } else {
            format!("Snapshot of {month} (taken {on})")
        }
    }

    pub fn transitions_between(&self, from: &str, to: &str) -> String {
        if self.zh() {
            format!("{from} → {to}：行为上月分类，列为本月分类")
        } else {
            format!("{from} → {to}: rows are the earlier class, columns the later")
        }
    }

    pub fn override_note(&self, computed: Class, reason: &str, until: Option<String>) -> String {
        let computed = self.class(computed);
        match (until, self.zh()) {
            (Some(until), true) => format!("手动调整（按规则为 {computed}）：{reason}，有效至 {until}"),
            (None, true) => format!("手动调整（按规则为 {computed}）：{reason}"),
            (Some(until), false) => format!("Set by hand (the rules say {computed}): {reason}, until {until}"),
            (None, false) => format!("Set by hand (the rules say {computed}): {reason}"),
        }
    }
}
