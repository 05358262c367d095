//! The vocabularies seeded data is drawn from, and the custom field definitions every sandbox
//! location has.

/// The kind of value a custom field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CustomFieldKind {
    /// A string.
    Text,
    /// A number (also written as a numeric string).
    Number,
    /// A list of strings (multi-select, checkbox).
    List,
}

/// One custom field definition of a sandbox location.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CustomFieldDef {
    /// The field's id, as contacts carry it in `customFields[].id`.
    pub id: &'static str,
    /// The field's key, which a write may name instead of the id.
    pub key: &'static str,
    /// The name the location gave it.
    pub name: &'static str,
    /// What its values are.
    pub kind: CustomFieldKind,
}

/// The custom fields every sandbox location defines; ids and keys are stable across runs.
pub const CUSTOM_FIELDS: &[CustomFieldDef] = &[
    CustomFieldDef {
        id: "cF7tXtFavColour00001",
        key: "contact.favourite_colour",
        name: "Favourite colour",
        kind: CustomFieldKind::Text,
    },
    CustomFieldDef {
        id: "cF7nUmLifetimeVal002",
        key: "contact.lifetime_value",
        name: "Lifetime value",
        kind: CustomFieldKind::Number,
    },
    CustomFieldDef {
        id: "cF7lStInterests00003",
        key: "contact.interests",
        name: "Interests",
        kind: CustomFieldKind::List,
    },
    CustomFieldDef {
        id: "cF7tXtPreferredLang4",
        key: "contact.preferred_language",
        name: "Preferred language",
        kind: CustomFieldKind::Text,
    },
];

/// A writing system with first and last names, each paired with an ASCII handle for emails.
pub(crate) struct Script {
    pub(crate) weight: u32,
    /// Whether the full name puts the family name first, without a space (CJK).
    pub(crate) family_first: bool,
    pub(crate) firsts: &'static [(&'static str, &'static str)],
    pub(crate) lasts: &'static [(&'static str, &'static str)],
}

pub(crate) const SCRIPTS: &[Script] = &[
    Script {
        weight: 48,
        family_first: false,
        firsts: &[
            ("James", "james"),
            ("Mary", "mary"),
            ("Pat", "pat"),
            ("Olivia", "olivia"),
            ("Liam", "liam"),
            ("Emma", "emma"),
            ("Noah", "noah"),
            ("Ava", "ava"),
            ("Ethan", "ethan"),
            ("Grace", "grace"),
        ],
        lasts: &[
            ("Smith", "smith"),
            ("Johnson", "johnson"),
            ("Lee", "lee"),
            ("Brown", "brown"),
            ("Garcia", "garcia"),
            ("Taylor", "taylor"),
            ("Walker", "walker"),
            ("O'Neil", "oneil"),
            ("King", "king"),
            ("Wright", "wright"),
        ],
    },
    Script {
        weight: 15,
        family_first: false,
        firsts: &[
            ("José", "jose"),
            ("François", "francois"),
            ("Zoë", "zoe"),
            ("Łukasz", "lukasz"),
            ("Søren", "soren"),
            ("Inés", "ines"),
            ("Ágnes", "agnes"),
            ("Çağla", "cagla"),
            ("Björn", "bjorn"),
        ],
        lasts: &[
            ("Núñez", "nunez"),
            ("Lefèvre", "lefevre"),
            ("Müller", "muller"),
            ("Wąsowski", "wasowski"),
            ("Kierkegård", "kierkegard"),
            ("Peña", "pena"),
            ("Dvořák", "dvorak"),
            ("Öztürk", "ozturk"),
            ("Gonçalves", "goncalves"),
        ],
    },
    Script {
        weight: 8,
        family_first: false,
        firsts: &[
            ("Анна", "anna"),
            ("Дмитрий", "dmitry"),
            ("Ольга", "olga"),
            ("Сергей", "sergey"),
        ],
        lasts: &[
            ("Иванова", "ivanova"),
            ("Смирнов", "smirnov"),
            ("Коваленко", "kovalenko"),
            ("Соколова", "sokolova"),
        ],
    },
    Script {
        weight: 5,
        family_first: false,
        firsts: &[
            ("Γιώργος", "giorgos"),
            ("Ελένη", "eleni"),
            ("Δημήτρης", "dimitris"),
        ],
        lasts: &[
            ("Παπαδόπουλος", "papadopoulos"),
            ("Κωνσταντίνου", "konstantinou"),
            ("Οικονόμου", "oikonomou"),
        ],
    },
    Script {
        weight: 5,
        family_first: false,
        firsts: &[
            ("محمد", "mohammed"),
            ("فاطمة", "fatima"),
            ("يوسف", "youssef"),
            ("ليلى", "layla"),
        ],
        lasts: &[
            ("العلي", "alali"),
            ("حسن", "hassan"),
            ("الخطيب", "alkhatib"),
        ],
    },
    Script {
        weight: 4,
        family_first: false,
        firsts: &[
            ("דוד", "david"),
            ("נועה", "noa"),
            ("יוסי", "yossi"),
            ("מיכל", "michal"),
        ],
        lasts: &[("כהן", "cohen"), ("לוי", "levi"), ("מזרחי", "mizrahi")],
    },
    Script {
        weight: 4,
        family_first: true,
        firsts: &[("伟", "wei"), ("芳", "fang"), ("静", "jing")],
        lasts: &[("王", "wang"), ("李", "li"), ("张", "zhang")],
    },
    Script {
        weight: 3,
        family_first: true,
        firsts: &[("花子", "hanako"), ("健太", "kenta"), ("さくら", "sakura")],
        lasts: &[("佐藤", "sato"), ("鈴木", "suzuki"), ("高橋", "takahashi")],
    },
    Script {
        weight: 3,
        family_first: true,
        firsts: &[("민준", "minjun"), ("서연", "seoyeon")],
        lasts: &[("김", "kim"), ("박", "park"), ("이", "yi")],
    },
    Script {
        weight: 2,
        family_first: false,
        firsts: &[
            ("Sam 👩\u{200d}💻", "sam"),
            ("Alex 🏳\u{fe0f}\u{200d}🌈", "alex"),
            ("Kai 👨\u{200d}👩\u{200d}👧", "kai"),
        ],
        lasts: &[("Rivers", "rivers"), ("Stone 🎸", "stone")],
    },
    Script {
        weight: 3,
        family_first: false,
        firsts: &[
            ("Zoe\u{308}", "zoe"),
            ("Jose\u{301}", "jose"),
            ("Ame\u{301}lie", "amelie"),
        ],
        lasts: &[("Nun\u{303}ez", "nunez"), ("Bru\u{308}ckner", "bruckner")],
    },
];

pub(crate) const TAGS: &[&str] = &[
    "vip",
    "newsletter",
    "lead-2024",
    "webinar",
    "partner",
    "churn-risk",
    "trial",
    "événement",
    "referral",
    "wholesale",
];

pub(crate) const COMPANIES: &[&str] = &[
    "Acme Corp",
    "Globex",
    "Initech",
    "Umbrella Logistics",
    "Müller & Söhne GmbH",
    "株式会社サンプル",
    "ООО Пример",
    "Soylent Foods",
];

pub(crate) const SOURCES: &[&str] = &["public api", "web form", "import", "facebook", "referral"];

pub(crate) const TIMEZONES: &[&str] = &[
    "America/New_York",
    "America/Chicago",
    "Europe/London",
    "Europe/Berlin",
    "Asia/Tokyo",
    "Asia/Jerusalem",
    "Asia/Calcutta",
];

/// User ids for `assignedTo` and note authors.
pub(crate) const USERS: &[&str] = &[
    "uSr0SandboxAlice0001",
    "uSr0SandboxBoris0002",
    "uSr0SandboxChiyo0003",
];

/// The first and last names of [`USERS`], in the same order.
pub(crate) const USER_NAMES: &[(&str, &str)] = &[
    ("Alice", "Hartmann"),
    ("Boris", "Petrov"),
    ("Chiyo", "Tanaka"),
];

/// Business ids, shaped like GHL's 24-digit hex ids.
pub(crate) const BUSINESSES: &[&str] = &[
    "641c094001436dbc2081e642",
    "641c094001436dbc2081e643",
    "641c094001436dbc2081e644",
    "641c094001436dbc2081e645",
];

pub(crate) const CALENDARS: &[&str] = &["cAlSandboxDemos00001", "cAlSandboxSupport002"];

pub(crate) const COLOURS: &[&str] = &["teal", "crimson", "ochre", "blau", "зелёный"];

pub(crate) const LANGUAGES: &[&str] = &["en", "fr", "de", "ru", "ja", "ar", "he"];

pub(crate) const INTERESTS: &[&str] = &["golf", "cooking", "travel", "chess", "hiking"];

pub(crate) const TASK_TITLES: &[&str] = &[
    "Call back",
    "Send proposal",
    "Follow up on invoice",
    "Schedule demo",
    "Renew contract",
    "Envoyer le devis",
    "Позвонить клиенту",
];

pub(crate) const NOTE_BODIES: &[&str] = &[
    "Asked for a quote on the annual plan.",
    "Prefers email; do not call before 10:00.",
    "Rendez-vous reporté à la semaine prochaine — café crème ☕",
    "Клиент просит счёт на русском языке.",
    "تم إرسال العرض عبر البريد الإلكتروني",
    "הלקוח ביקש הצעת מחיר מעודכנת",
    "来週、見積書を送付します。",
    "Met at the expo 🎉 — interested in the 👩\u{200d}💻 workshop.",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_twenty_characters() {
        let ids = CUSTOM_FIELDS.iter().map(|f| f.id);
        for id in ids
            .chain(USERS.iter().copied())
            .chain(CALENDARS.iter().copied())
        {
            assert_eq!(id.len(), 20, "{id}");
            assert!(id.chars().all(|c| c.is_ascii_alphanumeric()), "{id}");
        }
    }
}
