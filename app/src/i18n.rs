//! The one place UI text lives: every string the app shows comes from a [`Texts`] table,
//! zh-CN first and English second. A missing translation is a compile error, not a blank.

use domain::customer::{Gender, Source};
use domain::wire::ErrorCode;
use domain::{Field, FieldProblem};
use leptos::prelude::*;

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

    pub settings_title: &'static str,
    pub settings_language: &'static str,
    pub settings_device: &'static str,
    pub settings_device_help: &'static str,
    pub settings_salon: &'static str,
    pub settings_salon_none: &'static str,
    pub settings_join_code: &'static str,
    pub settings_join_help: &'static str,
    pub settings_join_button: &'static str,
    pub settings_join_bad: &'static str,
    pub settings_join_done: fn(&str) -> String,

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

    pub fn field_label(&self, field: Field) -> &'static str {
        match field {
            Field::Name => self.field_name,
            Field::Phone => self.field_phone,
            Field::Birthday => self.field_birthday,
            Field::Gender => self.field_gender,
            Field::Source => self.field_source,
            Field::Allergies => self.field_allergies,
            Field::Notes => self.field_notes,
            Field::Beautician => self.field_beautician,
        }
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
            (FieldProblem::DateInFuture, true) => "生日不能晚于今天。".into(),
            (FieldProblem::DateInFuture, false) => "A birthday cannot be after today.".into(),
            (FieldProblem::DateTooEarly { earliest_year }, true) => format!("生日不能早于 {earliest_year} 年。"),
            (FieldProblem::DateTooEarly { earliest_year }, false) => {
                format!("A birthday cannot be before {earliest_year}.")
            }
            (FieldProblem::UnknownChoice, true) => "请从列表中选择。".into(),
            (FieldProblem::UnknownChoice, false) => "Choose one of the options.".into(),
        }
    }

    /// Why the relay refused this device.
    pub fn refusal(&self, code: ErrorCode) -> &'static str {
        let zh = self.locale == Locale::ZhCn;
        match (code, zh) {
            (ErrorCode::Unauthorized, true) => "门店连接码无效，请在设置中重新输入。",
            (ErrorCode::Unauthorized, false) => "The salon code was refused. Enter it again in Settings.",
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
    search_placeholder: "搜索姓名、电话或编号",
    search_label: "搜索顾客",
    list_empty: "还没有顾客档案。点击“新建顾客”开始建档。",
    list_no_match: "没有找到匹配的顾客。",
    list_count: |shown, total| {
        if shown == total { format!("共 {total} 位顾客") } else { format!("找到 {shown} 位（共 {total} 位）") }
    },
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

    settings_title: "设置",
    settings_language: "语言",
    settings_device: "本机代码",
    settings_device_help: "本机新建顾客的编号以此开头。",
    settings_salon: "门店",
    settings_salon_none: "尚未连接门店：数据只保存在本机。",
    settings_join_code: "门店连接码",
    settings_join_help: "粘贴店长提供的连接码或链接（形如 门店:令牌）。",
    settings_join_button: "连接",
    settings_join_bad: "连接码格式不对，应为“门店:令牌”或包含 #join= 的链接。",
    settings_join_done: |salon| format!("已连接门店 {salon}"),

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
    search_placeholder: "Search name, phone or number",
    search_label: "Search customers",
    list_empty: "No customers yet. Tap “New customer” to open the first file.",
    list_no_match: "No customer matches.",
    list_count: |shown, total| {
        if shown == total { format!("{total} customers") } else { format!("{shown} of {total} customers") }
    },
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

    settings_title: "Settings",
    settings_language: "Language",
    settings_device: "Device code",
    settings_device_help: "Numbers of customers created on this device start with it.",
    settings_salon: "Salon",
    settings_salon_none: "No salon connected: data stays on this device only.",
    settings_join_code: "Salon code",
    settings_join_help: "Paste the code or link the owner gave you (salon:token).",
    settings_join_button: "Connect",
    settings_join_bad: "That code is not in the form salon:token, nor a link containing #join=.",
    settings_join_done: |salon| format!("Connected to salon {salon}"),

    storage_error: |detail| format!("Could not write to this device's storage; the last change was not saved: {detail}"),
    storage_unavailable: "This device's storage (IndexedDB) cannot be opened. Leave private browsing or allow this site to store data, then reopen.",
    not_found: "No such page.",
};

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
