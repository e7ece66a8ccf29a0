//! The one place UI text lives: every string the app shows comes from a [`Texts`] table,
//! zh-CN first and English second. A missing translation is a compile error, not a blank.

use domain::FieldProblem;
use domain::customer::{AgeBand, BodyArea, Book, EntryField, Field, Gender, MoneyKind, PhotoStage, Section, Source};
use domain::money::Payment;
use domain::transfer::{Column, ImportError, Labels};
use domain::wire::ErrorCode;
use leptos::prelude::*;

pub mod care;
pub mod classes;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Locale {
    #[default]
    ZhCn,
    En,
}

impl Locale {
    pub const ALL: [Locale; 2] = [Locale::ZhCn, Locale::En];

    pub fn code(self) -> &'static str {
        match self {
            Locale::ZhCn => "zh-CN",
            Locale::En => "en",
        }
    }

    pub fn parse(code: &str) -> Option<Locale> {
        Locale::ALL.into_iter().find(|l| l.code().eq_ignore_ascii_case(code))
    }

    /// The language's own name, shown in the language picker.
    pub fn native_name(self) -> &'static str {
        match self {
            Locale::ZhCn => "简体中文",
            Locale::En => "English",
        }
    }

    pub fn texts(self) -> &'static Texts {
        match self {
            Locale::ZhCn => &ZH_CN,
            Locale::En => &EN,
        }
    }
}

/// Every string of the UI for one language. Parameterised messages are functions.
pub struct Texts {
    pub locale: Locale,
    pub app_name: &'static str,
    pub nav_customers: &'static str,
    pub nav_new_customer: &'static str,
    pub nav_settings: &'static str,

    pub list_title: &'static str,
    pub search_placeholder: &'static str,
    pub search_label: &'static str,
    pub list_empty: &'static str,
    pub list_no_match: &'static str,
    pub list_count: fn(usize, usize) -> String,
    /// Sessions left on open cards of the customers shown, and their value (what the salon owes).
    pub liability_total: fn(i64, &str) -> String,
    pub allergy_badge: &'static str,

    pub field_number: &'static str,
    pub field_name: &'static str,
    pub field_gender: &'static str,
    pub field_phone: &'static str,
    pub field_birthday: &'static str,
    pub field_source: &'static str,
    pub field_allergies: &'static str,
    pub field_notes: &'static str,
    pub field_beautician: &'static str,
    pub field_created: &'static str,
    pub allergies_hint: &'static str,
    pub phone_hint: &'static str,
    pub age: fn(i16) -> String,
    pub not_recorded: &'static str,

    pub form_new_title: &'static str,
    pub form_edit_title: &'static str,
    pub form_save: &'static str,
    pub form_cancel: &'static str,
    pub form_has_errors: &'static str,
    pub form_section_basic: &'static str,
    pub form_section_health: &'static str,
    pub form_section_relationship: &'static str,

    pub detail_edit: &'static str,
    pub detail_back: &'static str,
    pub detail_not_found: &'static str,
    pub alert_title: &'static str,
    pub alert_before_treatment: &'static str,
    pub no_known_allergy: &'static str,

    pub sync_online: &'static str,
    pub sync_connecting: &'static str,
    pub sync_offline: &'static str,
    pub sync_not_configured: &'static str,
    pub sync_pending: fn(u32) -> String,
    pub sync_last: fn(&str) -> String,
    pub sync_never: &'static str,
    pub sync_receiving: &'static str,
    pub sync_needs_invite: &'static str,
    pub sync_wrong_key: &'static str,
    pub sync_unreadable: fn(u32) -> String,
    /// A file holding records this build cannot read (a newer app's).
    pub unreadable_records: fn(usize) -> String,
    /// The question before wiping this device to join another salon (current, offered).
    pub wipe_confirm: fn(&str, &str) -> String,
    /// Wiping refused: this many changes, photos or erasures are not uploaded yet.
    pub wipe_unsent: fn(u32) -> String,

    pub settings_title: &'static str,
    pub settings_language: &'static str,
    pub settings_device: &'static str,
    pub settings_device_help: &'static str,
    pub settings_salon: &'static str,
    pub settings_salon_none: &'static str,
    pub settings_join_code: &'static str,
    pub settings_join_help: &'static str,
    pub settings_join_button: &'static str,

    pub storage_error: fn(&str) -> String,
    pub storage_unavailable: &'static str,
    pub not_found: &'static str,
}

impl Texts {
    pub fn gender(&self, gender: Gender) -> &'static str {
        let zh = self.locale == Locale::ZhCn;
        match (gender, zh) {
            (Gender::Unspecified, true) => "未填写",
            (Gender::Female, true) => "女",
            (Gender::Male, true) => "男",
            (Gender::Other, true) => "其他",
            (Gender::Unspecified, false) => "Not given",
            (Gender::Female, false) => "Female",
            (Gender::Male, false) => "Male",
            (Gender::Other, false) => "Other",
        }
    }

    pub fn source(&self, source: Source) -> &'static str {
        let zh = self.locale == Locale::ZhCn;
        match (source, zh) {
            (Source::Unspecified, true) => "未填写",
            (Source::FriendReferral, true) => "朋友介绍",
            (Source::WalkedPast, true) => "路过",
            (Source::Newspaper, true) => "报纸",
            (Source::Tv, true) => "电视",
            (Source::Online, true) => "网络",
            (Source::FreeCard, true) => "免费卡",
            (Source::FamilyCard, true) => "亲情卡",
            (Source::Other, true) => "其他",
            (Source::Unspecified, false) => "Not given",
            (Source::FriendReferral, false) => "Friend referral",
            (Source::WalkedPast, false) => "Walked past",
            (Source::Newspaper, false) => "Newspaper",
            (Source::Tv, false) => "TV",
            (Source::Online, false) => "Online",
            (Source::FreeCard, false) => "Free card",
            (Source::FamilyCard, false) => "Family card",
            (Source::Other, false) => "Other",
        }
    }

    fn pick(&self, zh: &'static str, en: &'static str) -> &'static str {
        if self.locale == Locale::ZhCn { zh } else { en }
    }

    pub fn field_label(&self, field: Field) -> &'static str {
        let (zh, en) = match field {
            Field::Name => ("姓名", "Name"),
            Field::Phone => ("电话", "Phone"),
            Field::Gender => ("性别", "Gender"),
            Field::Birthday => ("生日", "Birthday"),
            Field::Address => ("住址 / 单位", "Address or workplace"),
            Field::Occupation => ("职业", "Occupation"),
            Field::Marital => ("婚姻状况", "Marital status"),
            Field::BloodType => ("血型", "Blood type"),
            Field::Allergies => ("过敏史", "Allergies"),
            Field::Contraindications => ("禁忌症", "Contraindications"),
            Field::MedicalHistory => ("病史", "Medical history"),
            Field::Source => ("了解渠道", "Heard of us via"),
            Field::Referrer => ("介绍人", "Referred by"),
            Field::SkinType => ("肤质", "Skin type"),
            Field::SkinCondition => ("皮肤状况", "Skin condition"),
            Field::CareFocus => ("最想改善", "Care focus"),
            Field::SubHealth => ("亚健康表现", "Sub-health signs"),
            Field::HomeProducts => ("家居用品", "Products used at home"),
            Field::Personality => ("性格", "Personality"),
            Field::Hobbies => ("爱好", "Hobbies"),
            Field::Taboos => ("忌讳", "Taboos"),
            Field::LifeEvents => ("生活大事", "Life events"),
            Field::LastChat => ("上次聊天内容", "Last conversation"),
            Field::PreferredBeautician => ("喜欢的美容师", "Preferred beautician"),
            Field::PreferredTime => ("方便到店时间", "Preferred time"),
            Field::MemberSince => ("入会日期", "Member since"),
            Field::Beautician => ("归属美容师", "Assigned beautician"),
            Field::Store => ("门店", "Store"),
            Field::Tags => ("标签", "Tags"),
            Field::Outcome => ("护理效果", "Treatment outcome"),
            Field::PsychType => ("整形心理类型", "Surgery psychology type"),
            Field::Notes => ("备注", "Notes"),
        };
        self.pick(zh, en)
    }

    pub fn field_hint(&self, field: Field) -> Option<&'static str> {
        let (zh, en) = match field {
            Field::Phone => (ZH_CN.phone_hint, EN.phone_hint),
            Field::Allergies => (
                "药物、产品过敏。填写后在档案和每次护理前醒目提示。",
                "Drug or product allergies. Shown as an alert on the file and before every treatment.",
            ),
            Field::Contraindications => (
                "不宜做的项目或成分（孕期、术后、光敏……）。",
                "Treatments or ingredients to avoid (pregnancy, after surgery, photosensitivity ...).",
            ),
            Field::Tags => ("用逗号或空格分隔，如：VIP 敏感肌", "Separate with commas or spaces, e.g. VIP sensitive"),
            Field::Referrer => (
                "填写介绍人的姓名或编号；有重名时从列表中选择。",
                "The referring customer's name or number; when several share the name, pick from the list.",
            ),
            Field::Source => {
                ("可从列表选择，也可输入新的渠道（如 小红书）。", "Pick from the list or type a new channel.")
            }
            Field::PsychType => (
                "咨询师评估。要求过高、强迫意识、缺陷恐惧三型术前术后都需要心理疏导。",
                "Set by a consultant. Over-demanding, obsessive and defect-fear types need counselling before and after surgery.",
            ),
            _ => return None,
        };
        Some(self.pick(zh, en))
    }

    pub fn section(&self, section: Section) -> &'static str {
        let (zh, en) = match section {
            Section::Identity => ("基本资料", "Basic details"),
            Section::Health => ("健康与禁忌", "Health and contraindications"),
            Section::Acquisition => ("来源", "How she found us"),
            Section::Care => ("皮肤与护理", "Skin and care"),
            Section::Person => ("个人喜好", "Personal"),
            Section::Relationship => ("归属与标签", "Assignment and tags"),
            Section::Assessment => ("效果与心理评估", "Outcome and psychology"),
            Section::Notes => ("备注", "Notes"),
        };
        self.pick(zh, en)
    }

    /// The label of a choice key of a field; a salon's own source channel is shown as typed.
    pub fn choice(&self, field: Field, key: &str) -> String {
        let pair = match (field, key) {
            (_, "") => ("未填写", "Not given"),
            (Field::Gender, k) => match Gender::parse(k) {
                Ok(g) => return self.gender(g).to_owned(),
                Err(_) => return key.to_owned(),
            },
            (Field::Source, k) => match Source::parse(k) {
                Ok(source) => return self.source(source).to_owned(),
                Err(_) => return key.to_owned(),
            },
            (Field::Marital, "single") => ("未婚", "Single"),
            (Field::Marital, "married") => ("已婚", "Married"),
            (Field::Marital, "divorced") => ("离异", "Divorced"),
            (Field::Marital, "widowed") => ("丧偶", "Widowed"),
            (Field::BloodType, "a") => ("A 型", "A"),
            (Field::BloodType, "b") => ("B 型", "B"),
            (Field::BloodType, "ab") => ("AB 型", "AB"),
            (Field::BloodType, "o") => ("O 型", "O"),
            (Field::Outcome, "a") => ("A 效果明显", "A clear effect"),
            (Field::Outcome, "b") => ("B 有一定效果", "B some effect"),
            (Field::Outcome, "c") => ("C 暂无效果", "C no effect yet"),
            (Field::Outcome, "d") => ("D 变差 / 退款 / 中止", "D worse, refund or stopped"),
            (Field::PsychType, "simple_beauty") => ("单纯美容型", "Simple beauty"),
            (Field::PsychType, "over_demanding") => ("要求过高型", "Over-demanding"),
            (Field::PsychType, "sensitive_suspicious") => ("敏感多疑型", "Sensitive and suspicious"),
            (Field::PsychType, "obsessive") => ("强迫意识型", "Obsessive"),
            (Field::PsychType, "defect_disorder") => ("缺陷障碍型", "Defect disorder"),
            (Field::PsychType, "defect_fear") => ("缺陷恐惧型", "Defect fear"),
            (Field::SkinType, "dry") => ("干性", "Dry"),
            (Field::SkinType, "oily") => ("油性", "Oily"),
            (Field::SkinType, "combination") => ("混合性", "Combination"),
            (Field::SkinType, "normal") => ("中性", "Normal"),
            (Field::SkinType, "sensitive") => ("敏感性", "Sensitive"),
            _ => return key.to_owned(),
        };
        self.pick(pair.0, pair.1).to_owned()
    }

    pub fn payment(&self, payment: Payment) -> &'static str {
        let (zh, en) = match payment {
            Payment::Cash => ("现金", "Cash"),
            Payment::WeChat => ("微信", "WeChat Pay"),
            Payment::Alipay => ("支付宝", "Alipay"),
            Payment::BankCard => ("银行卡", "Bank card"),
            Payment::Prepaid => ("储值扣款", "From prepaid balance"),
            Payment::OnAccount => ("挂账（欠款）", "On account (owed)"),
        };
        self.pick(zh, en)
    }

    pub fn money_kind(&self, kind: MoneyKind) -> &'static str {
        let (zh, en) = match kind {
            MoneyKind::TopUp => ("储值充值", "Prepaid top-up"),
            MoneyKind::Repayment => ("还款", "Debt repayment"),
            MoneyKind::Debt => ("记欠款", "Record a debt"),
        };
        self.pick(zh, en)
    }

    pub fn body_area(&self, area: BodyArea) -> &'static str {
        let (zh, en) = match area {
            BodyArea::Face => ("面部", "Face"),
            BodyArea::Forehead => ("额头", "Forehead"),
            BodyArea::Eyes => ("眼部", "Eyes"),
            BodyArea::Cheeks => ("脸颊", "Cheeks"),
            BodyArea::Chin => ("下巴", "Chin"),
            BodyArea::Neck => ("颈部", "Neck"),
            BodyArea::Crown => ("头顶", "Crown of the head"),
            BodyArea::Back => ("背部", "Back"),
            BodyArea::Abdomen => ("腹部", "Abdomen"),
            BodyArea::Arms => ("手臂", "Arms"),
            BodyArea::Legs => ("腿部", "Legs"),
            BodyArea::Other => ("其他", "Other"),
        };
        self.pick(zh, en)
    }

    pub fn photo_stage(&self, stage: PhotoStage) -> &'static str {
        let (zh, en) = match stage {
            PhotoStage::Before => ("护理前", "Before"),
            PhotoStage::After => ("护理后", "After"),
            PhotoStage::CloseUp => ("特写", "Close-up"),
        };
        self.pick(zh, en)
    }

    pub fn book(&self, book: Book) -> &'static str {
        let (zh, en) = match book {
            Book::All => ("全部", "All"),
            Book::Members => ("会员本", "Members"),
            Book::Potential => ("潜在客户本", "Potential"),
            Book::Debtors => ("欠款本", "Debtors"),
            Book::CardsExpiring => ("卡项到期", "Cards expiring"),
            Book::Bin => ("回收站", "Deleted"),
        };
        self.pick(zh, en)
    }

    pub fn entry_field(&self, field: EntryField) -> &'static str {
        let (zh, en) = match field {
            EntryField::Date => ("日期", "Date"),
            EntryField::Time => ("时间", "Time"),
            EntryField::Items => ("护理项目", "Services"),
            EntryField::Beautician => ("服务美容师", "Beautician"),
            EntryField::Amount => ("金额（元）", "Amount (¥)"),
            EntryField::Payment => ("付款方式", "Paid by"),
            EntryField::Products => ("购买产品", "Products bought"),
            EntryField::Card => ("使用疗程卡", "Use a card session"),
            EntryField::Notes => ("备注", "Notes"),
            EntryField::Item => ("项目", "Item"),
            EntryField::Sessions => ("次数", "Sessions"),
            EntryField::Price => ("售价（元）", "Price (¥)"),
            EntryField::Expiry => ("有效期至", "Expires on"),
            EntryField::Kind => ("类型", "Kind"),
        };
        self.pick(zh, en)
    }

    pub fn column(&self, column: Column) -> String {
        let pair = match column {
            Column::Number => ("编号", "Number"),
            Column::Field(field) => return self.field_label(field).to_owned(),
            Column::Prepaid => ("储值余额", "Prepaid balance"),
            Column::Debt => ("欠款", "Debt"),
            Column::Cards => ("未用完疗程卡", "Open cards"),
            Column::Spent => ("累计消费", "Total spent"),
            Column::Visits => ("到店次数", "Visits"),
            Column::LastVisit => ("最近到店", "Last visit"),
        };
        self.pick(pair.0, pair.1).to_owned()
    }

    pub fn import_error(&self, error: &ImportError) -> String {
        match (error, self.locale == Locale::ZhCn) {
            (ImportError::UnknownEncoding, true) => {
                "无法读取这个文件：它既不是 UTF-8 也不是 GBK 编码的表格。请在 Excel 或 WPS 中“另存为 → CSV”后重试。".into()
            }
            (ImportError::UnknownEncoding, false) => {
                "This file cannot be read: it is neither UTF-8 nor GBK text. Save it from Excel or WPS as CSV and try again.".into()
            }
            (ImportError::NoNameColumn, true) => "找不到“姓名”列。第一行应是列名，其中必须有“姓名”。".into(),
            (ImportError::NoNameColumn, false) => {
                "No “Name” column. The first row must hold the column titles, including “Name”.".into()
            }
            (ImportError::Empty, true) => "文件里没有顾客行。".into(),
            (ImportError::Empty, false) => "The file has no customer rows.".into(),
            (ImportError::TooManyRows { max }, true) => format!("一次最多导入 {max} 行，请分批导入。"),
            (ImportError::TooManyRows { max }, false) => format!("At most {max} rows per import; split the file."),
            (ImportError::Malformed { line }, true) => format!("第 {line} 行不是有效的 CSV（引号不成对？）。"),
            (ImportError::Malformed { line }, false) => format!("Line {line} is not valid CSV (unbalanced quotes?)."),
        }
    }

    pub fn age_band(&self, band: AgeBand) -> &'static str {
        let (zh, en) = match band {
            AgeBand::Under20 => ("20 岁以下", "under 20"),
            AgeBand::From20To24 => ("20–24 岁", "20–24"),
            AgeBand::From25To34 => ("25–34 岁", "25–34"),
            AgeBand::From35 => ("35 岁以上", "35 and over"),
        };
        self.pick(zh, en)
    }

    pub fn import_updates(&self, rows: usize) -> String {
        if self.locale == Locale::ZhCn {
            format!(
                "其中 {rows} 行的编号是本机已有的顾客：将更新她们的档案（只更新表中有的列；储值、欠款和疗程卡不会重复入账）。"
            )
        } else {
            format!(
                "{rows} rows name customers already here: their files are updated (only the columns the file has; balances and cards are not booked again)."
            )
        }
    }

    /// Under "paid by" when paying from the prepaid balance.
    pub fn prepaid_balance(&self, amount: &str) -> String {
        if self.locale == Locale::ZhCn { format!("储值余额 {amount}") } else { format!("Prepaid balance {amount}") }
    }

    /// A visit paid with card sessions.
    pub fn card_sessions_used(&self, sessions: usize) -> String {
        if self.locale == Locale::ZhCn {
            format!("卡扣 {sessions} 次")
        } else {
            format!("{sessions} card session(s)")
        }
    }

    /// What became of a join code, as one sentence.
    pub fn join_outcome(&self, outcome: &crate::state::JoinOutcome) -> String {
        use crate::state::JoinOutcome;
        use domain::join::JoinProblem;
        let zh = self.locale == Locale::ZhCn;
        match (outcome, zh) {
            (JoinOutcome::Bad(JoinProblem::Empty), true) => "连接码是空的。请粘贴店长发来的完整链接或连接码（形如 门店:令牌）。".into(),
            (JoinOutcome::Bad(JoinProblem::Empty), false) => "The join code is empty. Paste the whole link or code (salon:token) the owner sent.".into(),
            (JoinOutcome::Bad(JoinProblem::Incomplete), true) => "连接码不完整（“:”和后面的令牌不见了），可能复制时被截断了。请重新复制整条链接。".into(),
            (JoinOutcome::Bad(JoinProblem::Incomplete), false) => "The join code is incomplete (the “:” and the token after it are missing); it was probably cut off when copied. Copy the whole link again.".into(),
            (JoinOutcome::Bad(JoinProblem::BadSalon), true) => "连接码里的门店编号有误（只能有小写字母、数字、- 和 _）。请重新复制整条链接。".into(),
            (JoinOutcome::Bad(JoinProblem::BadSalon), false) => "The salon part of the code is wrong (lower-case letters, digits, - and _ only). Copy the whole link again.".into(),
            (JoinOutcome::Bad(JoinProblem::BadToken), true) => "连接码里的令牌有误（为空、太长或带有空格）。请重新复制整条链接。".into(),
            (JoinOutcome::Bad(JoinProblem::BadToken), false) => "The token in the code is wrong (empty, too long or with spaces). Copy the whole link again.".into(),
            (JoinOutcome::Bad(JoinProblem::BadKey), true) => "邀请链接里的门店密钥不完整或有误，可能复制时被截断了。请在已连接门店的设备上重新生成邀请。".into(),
            (JoinOutcome::Bad(JoinProblem::BadKey), false) => "The salon key in the invite is cut short or garbled; it was probably cut off when copied. Make a new invite on a device of the salon.".into(),
            (JoinOutcome::Pairing, true) => "正在向显示配对码的设备索取邀请…".into(),
            (JoinOutcome::Pairing, false) => "Asking the device showing the pairing code for the invite…".into(),
            (JoinOutcome::BadPairCode(problem), zh) => self.pair_code_problem(*problem, zh),
            (JoinOutcome::PairFailed(failure), zh) => self.pair_failure(*failure, zh).into(),
            (JoinOutcome::Joined(salon), true) => format!("已连接门店 {salon}，正在同步。"),
            (JoinOutcome::Joined(salon), false) => format!("Connected to salon {salon}; syncing."),
            (JoinOutcome::AlreadyJoined(salon), true) => format!("这台设备已经连接门店 {salon}，无需再连。"),
            (JoinOutcome::AlreadyJoined(salon), false) => format!("This device is already connected to salon {salon}."),
            (JoinOutcome::Ask { code, current }, true) if code.salon.as_str() == current => {
                format!("这台设备正在同步门店 {current}。要改用这个新的连接码吗？如果新码无效，设备会停止同步，直到改回。")
            }
            (JoinOutcome::Ask { code, current }, false) if code.salon.as_str() == current => {
                format!("This device syncs with salon {current}. Use this new code instead? If it is not valid, syncing stops until it is changed back.")
            }
            (JoinOutcome::Ask { code, current }, true) => {
                format!("这台设备正在连接门店 {current}。要改为连接门店 {} 吗？", code.salon)
            }
            (JoinOutcome::Ask { code, current }, false) => {
                format!("This device is connected to salon {current}. Switch it to salon {}?", code.salon)
            }
            (JoinOutcome::Refused { current, offered, unsent: 0, .. }, true) => format!(
                "这台设备上有门店 {current} 的顾客档案，直接改连门店 {offered} 会把它们同步到另一家门店，所以仍然连接 {current}。这些档案都已上传到 {current} 的服务器；如果这台设备确实要换到 {offered}，可以先清空本机。"
            ),
            (JoinOutcome::Refused { current, offered, unsent: 0, .. }, false) => format!(
                "This device holds salon {current}'s customer files; switching it to salon {offered} as it is would sync them into the other salon, so it stays with {current}. They are all uploaded to {current}'s server: if this device really moves to {offered}, wipe it first."
            ),
            (JoinOutcome::Refused { current, offered, unsent, .. }, true) => format!(
                "这台设备上有门店 {current} 的顾客档案，还有 {unsent} 项修改或照片没有上传到 {current}，所以不能改连门店 {offered}。请先连上 {current} 的服务器把它们上传完。仍然连接 {current}。"
            ),
            (JoinOutcome::Refused { current, offered, unsent, .. }, false) => format!(
                "This device holds salon {current}'s customer files and {unsent} change(s) or photo(s) not uploaded to {current} yet, so it cannot switch to salon {offered}. Connect to {current}'s server and let them upload first. It stays with {current}."
            ),
        }
    }

    fn pair_code_problem(&self, problem: domain::pairing::PairingProblem, zh: bool) -> String {
        use domain::pairing::PairingProblem;
        match (problem, zh) {
            (PairingProblem::Length(n), true) => {
                format!("配对码有 10 位（字母和数字），这里输入了 {n} 位。请对照店长设备上显示的配对码重新输入。")
            }
            (PairingProblem::Length(n), false) => {
                format!(
                    "A pairing code has 10 characters (letters and digits); this has {n}. Type it again as shown on the owner's device."
                )
            }
            (PairingProblem::Character(c), true) => {
                format!(
                    "配对码里没有“{c}”：配对码只有数字和英文字母（没有 I、L、O、U）。请对照店长设备上显示的配对码重新输入。"
                )
            }
            (PairingProblem::Character(c), false) => {
                format!(
                    "“{c}” is in no pairing code: codes have digits and letters only (no I, L, O or U). Type it again as shown on the owner's device."
                )
            }
            (_, zh) => self.pair_failure(domain::pairing::PairFailure::Malformed, zh).to_owned(),
        }
    }

    /// Why a typed pairing code brought no invite, and what to do.
    pub fn pair_failure(&self, failure: domain::pairing::PairFailure, zh: bool) -> &'static str {
        use domain::pairing::PairFailure;
        match (failure, zh) {
            (PairFailure::Unknown, true) => {
                "没有找到这个配对码：可能前四位输错了、已超过 10 分钟，或显示它的设备已离开「邀请设备」页面或断网。请核对后重试，或在店长的设备上生成新的配对码。"
            }
            (PairFailure::Unknown, false) => {
                "No such pairing code is open: the first four characters may be mistyped, it may be over 10 minutes old, or the device showing it left Settings → Invite a device or went offline. Check it and try again, or make a new code on the owner's device."
            }
            (PairFailure::Used, true) => {
                "这个配对码已经被输入过一次（每个配对码只能试一次）。请在店长的设备上点「新配对码」，再输入新的。"
            }
            (PairFailure::Used, false) => {
                "This pairing code was already tried once (each code takes one try). Tap “New code” on the owner's device and type the new one."
            }
            (PairFailure::NoAnswer, true) => {
                "显示配对码的设备没有回应。请让它停在「设置 → 邀请设备」并保持联网，点「新配对码」后再输入新的。"
            }
            (PairFailure::NoAnswer, false) => {
                "The device showing the code did not answer. Keep it on Settings → Invite a device and online, tap “New code” and type the new one."
            }
            (PairFailure::TooMany, true) => "这个网络最近输错的次数太多，请一分钟后再试。",
            (PairFailure::TooMany, false) => "Too many wrong tries from this network lately. Try again in a minute.",
            (PairFailure::Malformed, true) => {
                "配对请求没有成功（内容有误）。请核对配对码，在店长的设备上生成新的配对码后重试。"
            }
            (PairFailure::Malformed, false) => {
                "The pairing request failed (it was out of shape). Check the code, make a new one on the owner's device and try again."
            }
            (PairFailure::WrongCode, true) => {
                "配对码不对：后六位与店长设备上显示的不一致。这个配对码已作废，请在店长的设备上点「新配对码」，再仔细输入新的。"
            }
            (PairFailure::WrongCode, false) => {
                "Wrong pairing code: the last six characters differ from the code on the owner's device. That code is used up; tap “New code” there and type the new one carefully."
            }
            (PairFailure::Unreachable, true) => "连不上同步服务器，无法配对。请检查这台设备的网络后重试。",
            (PairFailure::Unreachable, false) => {
                "The sync server can't be reached, so pairing failed. Check this device's network and try again."
            }
        }
    }

    pub fn import_summary(&self, rows: usize, bad: usize) -> String {
        match (self.locale == Locale::ZhCn, bad) {
            (true, 0) => format!("共 {rows} 行，全部可以导入。"),
            (true, bad) => format!("共 {rows} 行，其中 {bad} 行有问题。"),
            (false, 0) => format!("{rows} rows, all ready to import."),
            (false, bad) => format!("{rows} rows, {bad} with problems."),
        }
    }

    pub fn ui(&self, key: Ui) -> &'static str {
        let (zh, en) = key.texts();
        self.pick(zh, en)
    }

    /// A validation problem as a sentence next to its field.
    pub fn problem(&self, problem: &FieldProblem) -> String {
        let zh = self.locale == Locale::ZhCn;
        match (problem, zh) {
            (FieldProblem::Required, true) => "必填项，请填写。".into(),
            (FieldProblem::Required, false) => "Required.".into(),
            (FieldProblem::TooLong { max }, true) => format!("最多 {max} 个字。"),
            (FieldProblem::TooLong { max }, false) => format!("At most {max} characters."),
            (FieldProblem::PhoneCharacters, true) => "电话只能包含数字、空格、短横线，国际号码以 + 开头。".into(),
            (FieldProblem::PhoneCharacters, false) => {
                "Use digits, spaces and dashes only; an international number starts with +.".into()
            }
            (FieldProblem::PhoneLength { min, max }, true) => format!("电话应为 {min}–{max} 位数字。"),
            (FieldProblem::PhoneLength { min, max }, false) => format!("A phone number has {min} to {max} digits."),
            (FieldProblem::NotADate, true) => "请输入有效日期（年-月-日）。".into(),
            (FieldProblem::NotADate, false) => "Enter a real date (year-month-day).".into(),
            (FieldProblem::DateInFuture, true) => "日期不能晚于今天。".into(),
            (FieldProblem::DateInFuture, false) => "The date cannot be after today.".into(),
            (FieldProblem::DateTooEarly { earliest_year }, true) => format!("日期不能早于 {earliest_year} 年。"),
            (FieldProblem::DateTooEarly { earliest_year }, false) => {
                format!("The date cannot be before {earliest_year}.")
            }
            (FieldProblem::UnknownChoice, true) => "请从列表中选择。".into(),
            (FieldProblem::UnknownChoice, false) => "Choose one of the options.".into(),
            (FieldProblem::TooMany { max }, true) => format!("最多 {max} 个。"),
            (FieldProblem::TooMany { max }, false) => format!("At most {max}."),
            (FieldProblem::UnknownCustomer, true) => "没有这个编号或姓名的顾客。".into(),
            (FieldProblem::UnknownCustomer, false) => "No customer has that number or name.".into(),
            (FieldProblem::NotAnAmount, true) => "请输入金额，如 298 或 298.50（最多两位小数，不能为负）。".into(),
            (FieldProblem::NotAnAmount, false) => {
                "Enter an amount such as 298 or 298.50 (two decimals at most, not negative).".into()
            }
            (FieldProblem::AmountTooLarge { max_yuan }, true) => format!("金额不能超过 {max_yuan} 元。"),
            (FieldProblem::AmountTooLarge { max_yuan }, false) => format!("The amount cannot exceed ¥{max_yuan}."),
            (FieldProblem::NotInRange { min, max }, true) => format!("请输入 {min}–{max} 之间的整数。"),
            (FieldProblem::NotInRange { min, max }, false) => format!("Enter a whole number from {min} to {max}."),
            (FieldProblem::NotPositive, true) => "金额必须大于 0。".into(),
            (FieldProblem::NotPositive, false) => "The amount must be above zero.".into(),
            (FieldProblem::DateBeforeStart, true) => "有效期不能早于购买日期。".into(),
            (FieldProblem::DateBeforeStart, false) => "The expiry cannot be before the purchase date.".into(),
            (FieldProblem::CardUsedUp, true) => "这张卡已经没有剩余次数。".into(),
            (FieldProblem::CardUsedUp, false) => "This card has no sessions left.".into(),
            (FieldProblem::CardExpired, true) => "这张卡已过期。".into(),
            (FieldProblem::CardExpired, false) => "This card has expired.".into(),
            (FieldProblem::NotFound, true) => "找不到这一项（可能已作废）。".into(),
            (FieldProblem::NotFound, false) => "Not found (it may have been voided).".into(),
            (FieldProblem::DuplicateNumber, true) => "这个编号已有顾客使用。".into(),
            (FieldProblem::DuplicateNumber, false) => "Another customer already has this number.".into(),
            (FieldProblem::Missing, true) => "请至少填写护理项目或购买产品之一。".into(),
            (FieldProblem::Missing, false) => "Enter the services or the products bought.".into(),
            (FieldProblem::NotAPercent, true) => "请输入 0–100 之间的百分比，最多两位小数（如 5 或 2.5）。".into(),
            (FieldProblem::NotAPercent, false) => {
                "Enter a percentage from 0 to 100, at most two decimals (5 or 2.5).".into()
            }
            (FieldProblem::BarOutOfOrder, true) => "不能高于上一级的门槛。".into(),
            (FieldProblem::BarOutOfOrder, false) => "Cannot be above the next higher class's bar.".into(),
            (FieldProblem::MustExceed { min }, true) => format!("必须大于 {min}。"),
            (FieldProblem::MustExceed { min }, false) => format!("Must be more than {min}."),
            (FieldProblem::PrepaidShort { balance }, true) => format!(
                "储值余额只有 {}，不够支付。请先充值，或改用其他付款方式（如挂账记欠款）。",
                balance.display()
            ),
            (FieldProblem::PrepaidShort { balance }, false) => format!(
                "The prepaid balance is only {}. Top up first, or choose another way to pay (on account records a debt).",
                balance.display()
            ),
            (FieldProblem::AbBelowA { a_bp }, true) => {
                let a = crate::i18n::classes::percent(*a_bp);
                format!("A+B 的比例包含 A类，不能低于 A类的 {a}%。")
            }
            (FieldProblem::AbBelowA { a_bp }, false) => {
                let a = crate::i18n::classes::percent(*a_bp);
                format!("The A+B share includes class A, so it cannot be below A's {a}%.")
            }
            (FieldProblem::LostNotAfterSilent { silent_days }, true) => {
                format!("流失要比沉睡更久：必须大于沉睡的 {silent_days} 天。")
            }
            (FieldProblem::LostNotAfterSilent { silent_days }, false) => {
                format!("Lost must come after silent: more than the {silent_days} silent days.")
            }
            (FieldProblem::AmbiguousCustomer { count }, true) => {
                format!("有 {count} 位顾客叫这个名字，请从列表中选择，或填写她的编号。")
            }
            (FieldProblem::AmbiguousCustomer { count }, false) => {
                format!("{count} customers have this name: pick one from the list or type her number.")
            }
            (FieldProblem::NumberOfAnother { name }, true) => format!(
                "这个编号是本机顾客 {name} 的，但这一行的姓名和电话都不是她的。可能是别家门店的编号：请清空编号（作为新顾客导入）或改正。"
            ),
            (FieldProblem::NumberOfAnother { name }, false) => format!(
                "This number belongs to {name} here, but neither the name nor the phone on this row is hers. It may be another salon's number: clear it (to import her as new) or correct it."
            ),
            (FieldProblem::NeedsConsent, true) => "记录健康信息前，须取得她的单独同意：请勾选本栏上方的同意。".into(),
            (FieldProblem::NeedsConsent, false) => {
                "Health details need her separate consent first: tick the consent at the top of this section.".into()
            }
            (FieldProblem::PhoneScientific, true) => {
                "电话号码被表格改成了科学计数法（如 1.39E+10），数字已丢失。请在表格中把这一列设为“文本”后重新填写。".into()
            }
            (FieldProblem::PhoneScientific, false) => {
                "The spreadsheet turned this phone number into scientific notation (1.39E+10) and lost its digits. Format the column as text and type it again.".into()
            }
        }
    }

    /// A problem with a named field: dates say which date ("生日不能晚于今天").
    pub fn field_problem(&self, label: &str, problem: &FieldProblem) -> String {
        let zh = self.locale == Locale::ZhCn;
        match (problem, zh) {
            (FieldProblem::DateInFuture, true) => format!("{label}不能晚于今天。"),
            (FieldProblem::DateInFuture, false) => format!("{label} cannot be after today."),
            (FieldProblem::DateTooEarly { earliest_year }, true) => format!("{label}不能早于 {earliest_year} 年。"),
            (FieldProblem::DateTooEarly { earliest_year }, false) => {
                format!("{label} cannot be before {earliest_year}.")
            }
            _ => self.problem(problem),
        }
    }

    /// The sync badge's word for a refusal (the join bar and Settings say the whole of it).
    pub fn refusal_short(&self, code: ErrorCode) -> &'static str {
        let zh = self.locale == Locale::ZhCn;
        match (code, zh) {
            (ErrorCode::InviteInvalid, true) => "邀请已失效",
            (ErrorCode::InviteInvalid, false) => "Invite no longer valid",
            (ErrorCode::Revoked, true) => "已被移出门店",
            (ErrorCode::Revoked, false) => "Removed from the salon",
            (ErrorCode::Unauthorized, true) => "本机未被认可",
            (ErrorCode::Unauthorized, false) => "Device not recognised",
            (ErrorCode::UnsupportedVersion, true) => "请更新应用",
            (ErrorCode::UnsupportedVersion, false) => "Update the app",
            (ErrorCode::QuotaExceeded, true) => "服务器空间已满",
            (ErrorCode::QuotaExceeded, false) => "Server storage full",
            (_, true) => "同步被拒绝",
            (_, false) => "Sync refused",
        }
    }

    /// Why the relay refused this device.
    pub fn refusal(&self, code: ErrorCode) -> &'static str {
        let zh = self.locale == Locale::ZhCn;
        match (code, zh) {
            (ErrorCode::Unauthorized, true) => {
                "同步服务器不认识本机（可能已被移除，或服务器恢复了旧备份）。请让店主或店长重新邀请本机。"
            }
            (ErrorCode::Unauthorized, false) => {
                "The sync server does not know this device (it may have been removed, or the server restored an old backup). Ask the owner or manager to invite it again."
            }
            (ErrorCode::InviteInvalid, true) => {
                "这个邀请已失效：每个邀请只能用一次，10 分钟内有效。请让店主或店长在「设置 → 邀请设备」重新生成。"
            }
            (ErrorCode::InviteInvalid, false) => {
                "This invite no longer works: each invite works once, within 10 minutes. Ask the owner or manager for a new one (Settings → Invite a device)."
            }
            (ErrorCode::Revoked, true) => "本机已被移出门店，不再同步。如需重新加入，请让店主重新邀请。",
            (ErrorCode::Revoked, false) => {
                "This device was removed from the salon and no longer syncs. To join again, ask the owner for an invite."
            }
            (ErrorCode::Forbidden, true) => "本机的角色不能做这件事（邀请或移除这类设备、抹除顾客）。",
            (ErrorCode::Forbidden, false) => {
                "This device's role may not do that (invite or remove that kind of device, erase a customer)."
            }
            (ErrorCode::QuotaExceeded, true) => {
                "同步服务器上本店的存储空间已满：新的修改和照片都保存在本机，还没有上传，一样都不会丢。请联系服务器管理员扩容；有了空间会自动继续上传。"
            }
            (ErrorCode::QuotaExceeded, false) => {
                "The salon's storage on the sync server is full: new changes and photos are kept on this device, not uploaded yet, and nothing is lost. Ask the server's operator for more room; uploading resumes by itself once there is room."
            }
            (ErrorCode::UnsupportedVersion, true) => "同步服务器版本不同，请更新应用。",
            (ErrorCode::UnsupportedVersion, false) => "The sync server runs another version. Update the app.",
            (_, true) => "同步服务器拒绝了请求，稍后重试。",
            (_, false) => "The sync server refused a request; retrying later.",
        }
    }
}

pub static ZH_CN: Texts = Texts {
    locale: Locale::ZhCn,
    app_name: "美客",
    nav_customers: "顾客档案",
    nav_new_customer: "新建顾客",
    nav_settings: "设置",

    list_title: "顾客档案",
    search_placeholder: "搜索姓名、拼音（如 zs）、电话、编号或标签",
    search_label: "搜索顾客",
    list_empty: "还没有顾客档案。点击“新建顾客”开始建档。",
    list_no_match: "没有找到匹配的顾客。",
    list_count: |shown, total| {
        if shown == total {
            format!("共 {total} 位顾客")
        } else {
            format!("找到 {shown} 位（共 {total} 位）")
        }
    },
    liability_total: |sessions, value| format!("未用疗程 {sessions} 次，价值 {value}"),
    allergy_badge: "过敏",

    field_number: "编号",
    field_name: "姓名",
    field_gender: "性别",
    field_phone: "电话",
    field_birthday: "生日",
    field_source: "了解渠道",
    field_allergies: "过敏史 / 禁忌",
    field_notes: "备注",
    field_beautician: "归属美容师",
    field_created: "建档日期",
    allergies_hint: "药物、产品过敏及禁忌症。填写后在档案和每次护理前醒目提示。",
    phone_hint: "手机或座机，可含区号；国际号码以 + 开头。",
    age: |years| format!("{years} 岁"),
    not_recorded: "未填写",

    form_new_title: "新建顾客档案",
    form_edit_title: "编辑顾客档案",
    form_save: "保存",
    form_cancel: "取消",
    form_has_errors: "有字段需要修改，请查看标红的提示。",
    form_section_basic: "基本资料",
    form_section_health: "健康与禁忌",
    form_section_relationship: "来源与归属",

    detail_edit: "编辑",
    detail_back: "返回列表",
    detail_not_found: "本机没有这位顾客的档案。",
    alert_title: "过敏 / 禁忌",
    alert_before_treatment: "护理前请务必确认",
    no_known_allergy: "无已知过敏或禁忌",

    sync_online: "已连接",
    sync_connecting: "正在连接…",
    sync_offline: "离线",
    sync_not_configured: "未连接门店",
    sync_pending: |n| format!("{n} 项待上传"),
    sync_last: |when| format!("上次同步 {when}"),
    sync_never: "尚未同步",
    sync_receiving: "正在接收更新…",
    sync_needs_invite: "需要邀请",
    sync_wrong_key: "密钥不符",
    sync_unreadable: |n| format!("{n} 项暂无法读取"),
    wipe_confirm: |current, offered| {
        format!(
            "清空这台设备上门店 {current} 的所有顾客档案和照片，改连门店 {offered}？它们在 {current} 的服务器和其他设备上仍有完整的一份；这台设备以后只看得到 {offered} 的档案。"
        )
    },
    wipe_unsent: |n| format!("还有 {n} 项修改或照片没有上传，本机没有清空。请先连上原来的服务器把它们上传完。"),
    unreadable_records: |n| {
        format!(
            "这份档案里有 {n} 条记录本机的美客读不懂（多半由更新版本写入）。它们原样保存在档案里，没有计入上面的金额和次数，也不会被改动。请更新应用后再查看。"
        )
    },

    settings_title: "设置",
    settings_language: "语言",
    settings_device: "本机代码",
    settings_device_help: "本机新建顾客的编号以此开头。",
    settings_salon: "门店",
    settings_salon_none: "尚未连接门店：数据只保存在本机。",
    settings_join_code: "邀请链接或配对码",
    settings_join_help: "输入店长设备上显示的 10 位配对码（如 K7QX-4M2P-9D），或粘贴邀请链接。",
    settings_join_button: "连接",

    storage_error: |detail| format!("无法写入本机存储，刚才的修改没有保存：{detail}"),
    storage_unavailable: "无法打开本机存储（IndexedDB）。请关闭无痕模式或允许本站存储数据后重新打开。",
    not_found: "页面不存在。",
};

pub static EN: Texts = Texts {
    locale: Locale::En,
    app_name: "Meike",
    nav_customers: "Customers",
    nav_new_customer: "New customer",
    nav_settings: "Settings",

    list_title: "Customers",
    search_placeholder: "Search name, pinyin (e.g. zs), phone, number or tag",
    search_label: "Search customers",
    list_empty: "No customers yet. Tap “New customer” to open the first file.",
    list_no_match: "No customer matches.",
    list_count: |shown, total| {
        if shown == total { format!("{total} customers") } else { format!("{shown} of {total} customers") }
    },
    liability_total: |sessions, value| format!("{sessions} card sessions owed, worth {value}"),
    allergy_badge: "Allergy",

    field_number: "Number",
    field_name: "Name",
    field_gender: "Gender",
    field_phone: "Phone",
    field_birthday: "Birthday",
    field_source: "Heard of us via",
    field_allergies: "Allergies / contraindications",
    field_notes: "Notes",
    field_beautician: "Assigned beautician",
    field_created: "File opened",
    allergies_hint: "Drug or product allergies and contraindications. Shown as an alert on the file and before every treatment.",
    phone_hint: "Mobile or landline with area code; international numbers start with +.",
    age: |years| format!("{years} years"),
    not_recorded: "Not recorded",

    form_new_title: "New customer file",
    form_edit_title: "Edit customer file",
    form_save: "Save",
    form_cancel: "Cancel",
    form_has_errors: "Some fields need attention; see the messages in red.",
    form_section_basic: "Basic details",
    form_section_health: "Health and contraindications",
    form_section_relationship: "Source and assignment",

    detail_edit: "Edit",
    detail_back: "Back to list",
    detail_not_found: "This device has no file for that customer.",
    alert_title: "Allergies / contraindications",
    alert_before_treatment: "Check before any treatment",
    no_known_allergy: "No known allergies or contraindications",

    sync_online: "Connected",
    sync_connecting: "Connecting…",
    sync_offline: "Offline",
    sync_not_configured: "No salon connected",
    sync_pending: |n| format!("{n} to upload"),
    sync_last: |when| format!("Last synced {when}"),
    sync_never: "Never synced",
    sync_receiving: "Receiving updates…",
    sync_needs_invite: "Invite needed",
    sync_wrong_key: "Wrong key",
    sync_unreadable: |n| format!("{n} can't be read yet"),
    wipe_confirm: |current, offered| {
        format!(
            "Wipe salon {current}'s customer files and photos from this device and switch it to salon {offered}? {current}'s server and its other devices keep a complete copy; this device will only see {offered}'s files."
        )
    },
    wipe_unsent: |n| {
        format!(
            "{n} change(s) or photo(s) are not uploaded yet, so this device was not wiped. Connect to its server and let them upload first."
        )
    },
    unreadable_records: |n| {
        format!(
            "{n} record(s) in this file can't be read by this version of Meike (most likely written by a newer one). They are kept in the file as they are, left out of the totals above, and never changed. Update the app to see them."
        )
    },

    settings_title: "Settings",
    settings_language: "Language",
    settings_device: "Device code",
    settings_device_help: "Numbers of customers created on this device start with it.",
    settings_salon: "Salon",
    settings_salon_none: "No salon connected: data stays on this device only.",
    settings_join_code: "Invite link or pairing code",
    settings_join_help: "Type the 10-character pairing code shown on the owner's device (like K7QX-4M2P-9D), or paste an invite link.",
    settings_join_button: "Connect",

    storage_error: |detail| {
        format!("Could not write to this device's storage; the last change was not saved: {detail}")
    },
    storage_unavailable: "This device's storage (IndexedDB) cannot be opened. Leave private browsing or allow this site to store data, then reopen.",
    not_found: "No such page.",
};

impl Labels for Texts {
    fn column(&self, column: Column) -> String {
        Texts::column(self, column)
    }

    fn choice(&self, field: Field, key: &str) -> String {
        Texts::choice(self, field, key)
    }
}

macro_rules! ui {
    ($($key:ident => $zh:literal, $en:literal;)+) => {
        /// Short UI strings added with the complete customer file, each with both languages.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Ui { $($key),+ }

        impl Ui {
            fn texts(self) -> (&'static str, &'static str) {
                match self { $(Ui::$key => ($zh, $en)),+ }
            }
        }
    };
}

ui! {
    RecordVisit => "记录到店", "Record visit";
    JoinWipe => "清空本机并改连", "Wipe this device and switch";
    UnreadablePolicy => "已保存的分类规则由更新版本的美客写入，本机读不懂，暂按默认规则分类。请更新应用；在这里保存会替换它。", "The saved classification rules were written by a newer version of Meike and can't be read here: the defaults are used meanwhile. Update the app; saving here replaces them.";
    UnreadableCarePlan => "已保存的回访计划由更新版本的美客写入，本机读不懂，暂按默认计划。请更新应用；在这里保存会替换它。", "The saved follow-up plan was written by a newer version of Meike and can't be read here: the defaults are used meanwhile. Update the app; saving here replaces it.";
    SellCard => "开疗程卡", "Sell a card";
    MoneyEntry => "储值 / 欠款", "Prepaid / debt";
    Photos => "照片", "Photos";
    Export => "导出", "Export";
    ExportCsv => "导出表格", "Export spreadsheet";
    ExportJson => "导出完整档案", "Export complete files";
    Import => "导入", "Import";
    Delete => "删除", "Delete";
    DeleteConfirm => "确定删除这位顾客吗？档案会移到回收站，可以恢复。", "Delete this customer? The file moves to the bin and can be restored.";
    DeleteYes => "确定删除", "Delete";
    Deleted => "已删除", "Deleted";
    Undo => "撤销", "Undo";
    Restore => "恢复", "Restore";
    InBin => "这位顾客在回收站中。", "This customer is in the bin.";
    Prepaid => "储值余额", "Prepaid balance";
    Debt => "欠款", "Debt";
    OpenSessions => "剩余疗程", "Sessions left";
    Liability => "剩余价值", "Value left";
    Spent => "累计消费", "Total spent";
    Visits => "到店次数", "Visits";
    LastVisit => "最近到店", "Last visit";
    Cards => "疗程卡", "Package cards";
    NoCards => "还没有疗程卡。", "No package cards yet.";
    VisitsTitle => "到店记录", "Visits";
    NoVisits => "还没有到店记录。", "No visits yet.";
    MoneyTitle => "储值与欠款记录", "Prepaid and debt entries";
    NoMoney => "还没有储值或欠款记录。", "No prepaid or debt entries yet.";
    Void => "作废", "Void";
    Voided => "已作废", "Voided";
    VoidConfirm => "确定作废这一项吗？记录会保留（划线显示），但不再计入余额、次数和照片对比。", "Void this entry? It stays on record (struck through) but no longer counts in balances, sessions or comparisons.";
    Expired => "已过期", "Expired";
    ExpiringSoon => "即将到期", "Expiring soon";
    Overdrawn => "超用：离线时多台设备同时用了最后的次数，请与顾客核对。", "Overdrawn: several devices used the last sessions while offline. Check with the customer.";
    OverdrawnBadge => "超用", "Overdrawn";
    SessionsLeft => "剩余", "left";
    NoExpiry => "不限期", "No expiry";
    Save => "保存", "Save";
    Cancel => "取消", "Cancel";
    NoCardToUse => "没有可用的疗程卡。", "No card with sessions left.";
    CompareTitle => "前后对比", "Side-by-side comparison";
    NoPhotos => "还没有照片。", "No photos yet.";
    PhotoArea => "部位", "Area";
    PhotoStage => "阶段", "Stage";
    PhotoDate => "拍摄日期", "Taken on";
    PhotoNote => "说明", "Note";
    ChoosePhoto => "选择图片", "Choose a picture";
    TakePhoto => "拍照", "Take a photo";
    PhotoMissing => "照片尚未同步到本机。", "This photo has not reached this device yet.";
    PhotoBad => "无法读取这张图片，请换一张。", "This picture cannot be read; choose another.";
    Processing => "正在处理…", "Processing…";
    ImportTitle => "从表格导入顾客", "Import customers from a spreadsheet";
    ImportHelp => "选择 CSV 文件（Excel 或 WPS 另存为 CSV 即可，UTF-8 或 GBK 编码都能读）。第一行是列名，至少要有“姓名”。编号与本机顾客相同的行会更新她的档案（只更新表中有的列）。导入前会先预览，每一行的问题都会列出；有问题时不会导入任何一行。", "Choose a CSV file (saved from Excel or WPS; UTF-8 or GBK). The first row holds column titles and must include “Name”. A row whose number is a customer here updates her file (only the columns the file has). You see a preview with every row's problems first; nothing is imported while any row has a problem.";
    ImportChoose => "选择文件", "Choose file";
    ImportLine => "行号", "Line";
    ImportProblems => "问题", "Problems";
    ImportOk => "可以导入", "Ready";
    ImportDo => "全部导入", "Import all";
    ImportFix => "请先在表格中改正标红的行，再重新选择文件。", "Correct the rows marked in red in the spreadsheet, then choose the file again.";
    ImportIgnored => "以下列不认识，将被忽略：", "These columns are not recognised and will be ignored:";
    ImportDone => "导入完成", "Import finished";
    Book => "名册", "Book";
    BackToFile => "返回档案", "Back to the file";
    NavClasses => "客户分类", "Classes";
    ClassesTitle => "客户分类", "Customer classes";
    ClassesOnFile => "分类", "Classes";
    Override => "手动调整", "Set by hand";
    OverrideLift => "恢复按规则", "Back to the rules";
    OverrideClass => "调整为", "Set to";
    OverrideReason => "原因（必填）", "Reason (required)";
    OverrideUntil => "有效至（可不填）", "Until (optional)";
    ClassHistory => "每月分类记录", "Classes month by month";
    NoClassHistory => "还没有月度快照。", "No monthly snapshot yet.";
    FilterClass => "按分类筛选", "Filter by class";
    AllClasses => "全部分类", "All classes";
    ClassCustomers => "人数", "Customers";
    ClassRevenue => "期内消费", "Revenue in period";
    ShareOfCustomers => "占人数", "Of customers";
    ShareOfRevenue => "占消费", "Of revenue";
    Distribution => "分布与消费占比", "Distribution and revenue share";
    ParetoTitle => "帕累托曲线（二八检验）", "Pareto curve (the 80/20 check)";
    ParetoAxisCustomers => "顾客（按消费从高到低）", "Customers (by spend, highest first)";
    ParetoAxisRevenue => "累计消费占比", "Share of revenue";
    TransitionsTitle => "分类变动", "Class moves";
    TransitionsNone => "需要两个月的快照才能比较；下个月起这里显示谁升了、谁降了。", "Two monthly snapshots are needed to compare; from next month this shows who moved up and who moved down.";
    SnapshotNone => "本月还没有快照。", "No snapshot this month yet.";
    SnapshotNow => "立即记录本月快照", "Record this month's snapshot now";
    PolicyTitle => "分类规则", "Classification policy";
    PolicyEdit => "修改分类规则", "Edit the policy";
    PolicySaved => "分类规则已保存；其他设备同步后按新规则分类。", "Policy saved; other devices classify by it once they sync.";
    PolicyPeriod => "统计周期与比例", "Period and shares";
    PolicyLifecycle => "客户阶段", "Lifecycle";
    PolicyGrades => "等级门槛（期内消费与到店次数都要达到）", "Grade bars (both spend and visits in the period)";
    AhpTitle => "综合评分：指标两两比较（层次分析法）", "Composite score: compare the indicators in pairs (AHP)";
    AhpHelp => "每一格表示：左侧指标比上方指标重要多少。1 同样重要，3 稍重要，5 明显重要，7 强烈重要，9 极端重要；1/3、1/5… 表示反过来。", "Each cell says how much more the row indicator matters than the column one: 1 equal, 3 moderately, 5 strongly, 7 very strongly, 9 extremely; 1/3, 1/5 … the other way round.";
    AhpWeights => "得出的权重", "Resulting weights";
    NavToday => "今日回访", "Follow-ups";
    TodayTitle => "回访任务", "Follow-up tasks";
    WorklistFor => "谁的任务", "Whose tasks";
    WholeSalon => "全店", "Whole salon";
    WorklistEmpty => "现在没有需要回访的顾客。", "Nobody needs a follow-up right now.";
    RecordContact => "记录回访", "Record contact";
    TaskDone => "完成", "Done";
    TaskSnooze => "推迟", "Snooze";
    TaskSkip => "跳过", "Skip";
    TaskSkipWhy => "跳过的原因（必填，会记入回访记录）", "Why skip it? (required; kept in the follow-up log)";
    ContactTitle => "记录回访", "Record a contact";
    ContactLog => "回访记录", "Follow-up log";
    NoContacts => "还没有回访记录。", "No contacts yet.";
    OpenTasks => "待办回访", "Open follow-ups";
    ContactDate => "日期", "Date";
    ContactTime => "时间", "Time";
    ContactBy => "回访人", "By";
    ContactChannel => "方式", "Channel";
    ContactSaid => "沟通内容", "What was said";
    ContactResponse => "顾客反应", "Her response";
    ContactResult => "结果", "Result";
    ContactNextStep => "下一步", "Next step";
    ContactAnswers => "对应任务", "Answers the task";
    Templates => "短信模板", "Message templates";
    CopyText => "复制", "Copy";
    OpenSms => "发短信", "Open SMS";
    Copied => "已复制", "Copied";
    Handover => "顾客交接", "Hand over customers";
    HandoverFrom => "原美容师", "From beautician";
    HandoverTo => "交给", "To beautician";
    HandoverDo => "交接所选顾客", "Hand over the selected customers";
    HandoverDone => "交接完成，新美容师的首次联系任务已生成。", "Handed over; first-contact tasks were created for the new beautician.";
    HandoverNone => "没有这位美容师的顾客。", "No customers assigned to this beautician.";
    CarePlan => "回访规则", "Care plan";
    ComplaintTitle => "记录投诉 / 意见", "Record a complaint or suggestion";
    ComplaintCategory => "类别", "Category";
    ComplaintSeverity => "严重程度", "Severity";
    ComplaintText => "内容", "What happened";
    ComplaintAssigned => "负责人（可不填）", "Handled by (optional)";
    Complaints => "投诉与意见", "Complaints and suggestions";
    ComplaintAdd => "记录投诉", "Record a complaint";
    ComplaintOpen => "处理中", "Open";
    ComplaintResolved => "已解决", "Resolved";
    ComplaintAction => "采取的措施", "Action taken";
    ComplaintResolves => "已解决", "Resolves it";
    OwnerHome => "店长首页", "Owner's overview";
    MovesThisMonth => "本月分类变动（价值分类）", "Class moves this month (value)";
    Role => "本机使用者", "Who uses this device";
    InviteTitle => "邀请设备", "Invite a device";
    InviteHelp => "在新设备（平板、手机）的浏览器里打开这条链接，它就会加入本店并能读取顾客档案。链接里带有门店密钥：只当面或通过可信渠道发给本店员工，不要发到群里。", "Open this link in the new device's browser (tablet, phone) and it joins this salon and can read the customer files. The link carries the salon key: give it only to your staff, in person or by a trusted channel, never in a group chat.";
    InviteCopy => "复制邀请链接", "Copy invite link";
    InviteCopied => "已复制", "Copied";
    InviteNone => "本机还没有门店密钥，暂时不能邀请。连接门店后，第一台设备会自动生成密钥。", "This device has no salon key yet, so it cannot invite. The salon's first device makes the key when it connects.";
    NeedsInviteHelp => "本店的档案已加密，本机还没有门店密钥。请在已连接门店的设备上打开「设置 → 邀请设备」，把邀请链接在本机打开。", "This salon's files are encrypted and this device has no salon key yet. On a device of the salon open Settings → Invite a device, then open that invite link on this device.";
    WrongKeyHelp => "本机的门店密钥与本店的不符（可能来自别的门店）。请在已连接门店的设备上生成邀请链接，在本机打开。", "This device's salon key is not this salon's (it may be another salon's). Make an invite on a device of the salon and open it on this device.";
    EncryptedNote => "顾客档案和照片在本机加密后才上传，同步服务器无法读取。", "Customer files and photos are encrypted on this device before upload; the sync server cannot read them.";
    StorageFull => "本机存储空间已满，刚才的修改没有保存；之前保存的内容和待上传的修改都还在。请清理本机空间（不用的应用、照片）后再试。", "This device's storage is full, so that change was not saved; everything saved before, and every change waiting to upload, is still here. Free some space (unused apps, photos), then try again.";
    StorageTitle => "本机存储", "Storage on this device";
    StorageUsed => "已用", "Used";
    StorageFree => "可用约", "About free";
    StoragePersisted => "已设为持久保存：空间紧张时浏览器不会自动清除本机资料。", "Kept persistently: the browser will not clear this device's data when space runs low.";
    StorageNotPersisted => "未设为持久保存：空间紧张时浏览器可能清除本机资料（未上传的修改会丢失）。请把应用安装到主屏幕，并保持同步。", "Not kept persistently: the browser may clear this device's data when space runs low (changes not yet uploaded would be lost). Install the app to the home screen and keep it synced.";
    StoragePersist => "申请持久保存", "Ask to keep it persistently";
    InviteName => "设备名称", "Device name";
    InviteNamePlaceholder => "如：前台 iPad", "e.g. Front desk iPad";
    InviteRole => "给这台设备的角色", "Role for the device";
    InviteMake => "生成邀请", "Make an invite";
    InviteWaiting => "正在向同步服务器登记邀请…", "Recording the invite with the sync server…";
    InviteOffline => "连接到同步服务器后才能邀请：邀请要先在服务器登记。", "Invites need the sync server: connect first, the invite is recorded there.";
    InviteNotAllowed => "只有老板和店长的设备可以邀请新设备。", "Only the owner's and managers' devices can invite new devices.";
    InviteValidUntil => "只能使用一次，有效至", "Works once, until";
    ConsentUnreadable => "本机读不懂（由较新版本记录），请更新应用后再查看；在此之前视为未同意", "Unreadable here (recorded by a newer version): update the app to see it; until then it counts as not given";
    PairCodeTitle => "或者在新设备上输入配对码", "Or type this pairing code on the new device";
    PairCodeHelp => "在新设备的浏览器里打开本店的美客网址，进入「设置」，在「邀请链接或配对码」里输入它。配对码只能试一次；输入时请让本页保持打开。", "On the new device open this salon's Meike address, go to Settings and type it under “Invite link or pairing code”. A code takes one try; keep this page open meanwhile.";
    PairCodeMaking => "正在生成配对码…", "Making a pairing code…";
    PairCodeAnswered => "已有设备输入了这个配对码，邀请已交给它。如果那台设备没能连上（例如输错了），请生成新的配对码。", "A device typed this code and was handed the invite. If it did not connect (a typo, say), make a new code.";
    PairCodeNew => "新配对码", "New code";
    PairCodeUnavailable => "暂时无法生成配对码（本店同时打开的配对码太多）。请稍后点「新配对码」重试，或用二维码或链接。", "No pairing code can be made just now (too many open in this salon). Tap “New code” later, or use the QR code or link.";
    InviteScan => "用新设备的相机扫描二维码，或在新设备上打开这条链接。", "Scan the QR code with the new device's camera, or open this link on it.";
    DevicesTitle => "本店设备", "This salon's devices";
    DevicesNone => "连接到同步服务器后显示本店设备。", "The salon's devices show once connected to the sync server.";
    DeviceUnnamed => "未命名设备", "Unnamed device";
    DeviceThis => "本机", "This device";
    DevicePaired => "配对于", "Paired";
    DeviceSeen => "最近连接", "Last seen";
    DeviceRemove => "移除", "Remove";
    DeviceRemoveConfirm => "确认移除", "Confirm removal";
    DeviceRemoveHelp => "移除后，这台设备立即断开，不能再上传或下载任何资料（它本机已存的资料不会被远程删除）。丢失的平板请马上移除。", "A removed device is cut off at once and can no longer upload or download anything (what it already stores is not wiped remotely). Remove a lost tablet straight away.";
    RoleHelp => "决定打开应用时的首页：美容师看自己的回访任务，老板和店长看逾期任务、未处理投诉和本月分类变动。整形心理评估只在老板、店长和顾问的设备上显示。", "Decides the home screen: a beautician sees her follow-ups; the owner and manager see overdue tasks, open complaints and this month's class moves. The surgery psychology screening shows only on owner, manager and consultant devices.";
    CounsellingTitle => "心理评估提示", "Psychology screening";
    CounsellingText => "此类顾客术前术后都需要专业心理疏导，单靠手术解决不了问题。请先沟通，再安排项目。", "This type needs professional counselling before and after surgery; surgery alone will not satisfy her. Talk first, then plan treatments.";
    CounsellingDiscreet => "安排项目前，请先与顾问沟通。", "Before planning treatments, speak with the consultant.";
    Snoozed => "已推迟", "Snoozed";
    SnoozeTo => "推迟到：", "Snooze until:";
    TaskMarkedDone => "已标为完成。", "Marked as done.";
    TaskSkipped => "已跳过", "Skipped";
    SkipReason => "原因", "Reason";
    SalonNameHint => "在“设置 → 门店名称”填写后，短信会以门店名称落款。", "Set the salon's name in Settings and messages are signed with it.";
    SalonNameTitle => "门店名称", "Salon name";
    SalonNameHelp => "顾客认识的店名，如“丽人美容会所”。短信模板以此落款，所有设备同步。", "The name customers know, e.g. “Belle Beauty”. Message templates are signed with it; every device gets it.";
    Saved => "已保存。", "Saved.";
    WhichBeautician => "这台设备是哪位美容师的", "Whose device this is";
    WhichBeauticianHelp => "选好后，首页就是她自己的回访任务。", "Her own follow-ups become this device's home.";
    PhotoEnlarge => "放大查看", "View large";
    Close => "关闭", "Close";
    PrepaidOverdrawn => "储值超用：离线时多台设备都从储值扣了款，余额成了负数。两笔消费都已保留，请与顾客核对后补充值或记欠款。", "Prepaid balance overdrawn: several devices took from it while offline. Both payments are kept; check with the customer, then top up or record a debt.";
    RecordedOn => "记录于", "Recorded";
    SamePhone => "已有顾客使用这个电话号码：", "A customer already has this phone number:";
    SamePhoneAllow => "是不同的人（如母女共用一个电话），仍然保存", "They are different people (a mother and daughter sharing a phone, say): save anyway";
    JoinSwitch => "改用这个连接", "Switch to it";
    JoinKeep => "保持现在的连接", "Keep the current one";
    ChooseRole => "设置本机使用者", "Say who uses this device";
    ContraindicationBadge => "禁忌", "Contraindication";
    ImportUpdate => "将更新现有档案", "Updates her file";
    LeaveUnsaved => "修改还没有保存。确定离开吗？", "The changes are not saved. Leave anyway?";
    AhpWhat => "层次分析法：您只需两两比较哪项指标更重要，系统据此算出每项指标的权重，再给每位顾客打一个综合分。一致性比率 CR 检查这些比较是否前后矛盾（比如说甲比乙重要、乙比丙重要，却又说丙比甲重要）；CR 不超过 0.1 才能保存。", "The analytic hierarchy process: you only say which of two indicators matters more, pair by pair; Meike turns that into a weight for each indicator and a composite score for every customer. The consistency ratio CR checks the comparisons do not contradict each other (A over B, B over C, yet C over A); it must be 0.1 or less to save.";
    CardPrice => "售价", "Price";
    CardBought => "购于", "Bought";
    ConsentTitle => "顾客同意", "Her consent";
    ConsentHealth => "记录健康信息（过敏、禁忌、病史、亚健康）", "Keeping a health record (allergies, contraindications, history, sub-health)";
    ConsentPhotos => "拍摄和保存护理前后照片", "Taking and keeping before/after photos";
    ConsentMarketing => "接收生日祝福、节日优惠等营销信息", "Receiving birthday greetings, holiday offers and other marketing";
    ConsentGiven => "已同意", "Given";
    ConsentWithdrawn => "已撤回", "Withdrawn";
    ConsentNotRecorded => "未记录", "Not recorded";
    ConsentRecord => "记录同意", "Record consent";
    ConsentWithdraw => "撤回同意", "Withdraw";
    ConsentBy => "经办人", "Recorded by";
    ConsentByRequired => "请填写经办人（是谁询问了她）。", "Say who recorded it (who asked her).";
    ConsentByTooLong => "经办人最多 40 个字。", "Recorded by holds at most 40 characters.";
    ConsentWhy => "健康信息和照片属于敏感个人信息，须取得她的单独同意（《个人信息保护法》第二十九条），仅用于护理安全和效果对比，不作他用；她可以随时撤回。", "Health details and photos are sensitive personal information: they need her separate consent (PIPL art. 29), are used only for safe treatment and comparing results, and she may withdraw at any time.";
    ConsentLegacy => "这份档案有健康记录，但没有记录她的同意。请询问她，并在下面记录。", "This file holds health notes but no consent is recorded. Ask her and record it below.";
    ConsentLog => "同意记录", "Consent log";
    ConsentWithdrawHealth => "撤回后，她的过敏、禁忌、病史和亚健康记录会被清空，之后也不能再记录。确定撤回？", "Withdrawing clears her allergies, contraindications, history and sub-health notes, and none can be recorded after. Withdraw?";
    ConsentWithdrawPhotos => "撤回后，她的照片不再显示，也不能再拍。要彻底删除照片，请在档案底部彻底抹除她的信息。确定撤回？", "Withdrawing hides her photos and no more can be taken. To delete them for good, erase her data at the bottom of her file. Withdraw?";
    ConsentWithdrawMarketing => "撤回后，不再为她安排生日祝福、节日优惠和唤回信。确定撤回？", "Withdrawing stops birthday greetings, holiday offers and win-back letters to her. Withdraw?";
    ConsentHealthBox => "她已单独同意本店记录她的健康信息（仅用于护理安全）", "She gives her separate consent to the salon keeping her health details (for safe treatment only)";
    PhotoNeedsConsent => "拍照前，请先在她的档案里记录她对照片的同意。", "Before taking photos, record her consent to photos on her file.";
    NoConsentHealth => "没有她对健康信息的同意，健康信息未保存。请先取得并记录她的同意。", "Her health details were not saved: she has not consented. Ask her and record her consent first.";
    NoConsentPhotos => "没有她对照片的同意，照片未保存。请先在档案里记录她的同意。", "The photo was not saved: she has not consented to photos. Record her consent on her file first.";
    NoConsentMarketing => "她没有同意接收营销信息。", "She has not consented to marketing messages.";
    Erase => "彻底抹除她的信息…", "Erase her data for good…";
    EraseWhen => "她要求删除个人信息时使用（《个人信息保护法》第四十七条）。她的档案、健康记录、照片、消费和回访记录会从本机、门店所有设备和服务器上彻底删除，无法恢复，也不能撤销。需要留存的账目请先导出。", "Use this when she asks for her personal information to be deleted (PIPL art. 47). Her file, health notes, photos, visits and follow-ups are deleted for good from this device, every device of the salon and the server. It cannot be undone. Export any accounts you must keep first.";
    EraseTypeName => "输入她的姓名以确认", "Type her name to confirm";
    EraseNameMismatch => "姓名不一致，未抹除。", "The name does not match: nothing was erased.";
    EraseYes => "彻底抹除", "Erase for good";
    Erased => "已彻底抹除顾客档案", "Customer file erased for good:";
}

/// The language context: a signal plus typed access to the current table.
#[derive(Clone, Copy)]
pub struct I18n {
    pub locale: RwSignal<Locale>,
}

impl I18n {
    /// The current table; reading it inside a view makes the view follow language changes.
    pub fn t(&self) -> &'static Texts {
        self.locale.get().texts()
    }
}

pub fn use_i18n() -> I18n {
    expect_context::<I18n>()
}
