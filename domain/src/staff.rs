//! Who works on a device, and what that lets the screen show. The role is chosen on the
//! device (pairing, a later issue, will hand it out); it decides the home screen and keeps
//! the most sensitive notes off tablets a customer can see.

/// The role of the person a device is for (DOMAIN.md §6; 000 篇8: a consultant screens
/// surgery candidates).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Not chosen yet: the device opens the customer books and shows nothing sensitive.
    Unset,
    Owner,
    Manager,
    Consultant,
    Beautician,
    FrontDesk,
}

impl Role {
    pub const ALL: [Role; 6] =
        [Role::Unset, Role::Owner, Role::Manager, Role::Consultant, Role::Beautician, Role::FrontDesk];

    pub fn key(self) -> &'static str {
        match self {
            Role::Unset => "",
            Role::Owner => "owner",
            Role::Manager => "manager",
            Role::Consultant => "consultant",
            Role::Beautician => "beautician",
            Role::FrontDesk => "front_desk",
        }
    }

    pub fn parse(key: &str) -> Role {
        Role::ALL.into_iter().find(|r| r.key() == key).unwrap_or(Role::Unset)
    }

    /// The surgery psychology screening (整形心理类型, 000 篇8) names a customer's state of
    /// mind ("缺陷障碍型"): only those who screen and decide see it; every other device shows a
    /// discreet "talk to the consultant first" instead. A treatment-room tablet is seen by the
    /// customer herself.
    pub fn sees_psychology(self) -> bool {
        matches!(self, Role::Owner | Role::Manager | Role::Consultant)
    }

    /// Devices whose home is the owner's overview rather than a worklist or the books.
    pub fn is_management(self) -> bool {
        matches!(self, Role::Owner | Role::Manager)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_owners_managers_and_consultants_see_the_psychology_screening() {
        let seeing: Vec<Role> = Role::ALL.into_iter().filter(|r| r.sees_psychology()).collect();
        assert_eq!(seeing, [Role::Owner, Role::Manager, Role::Consultant]);
        for role in Role::ALL {
            assert_eq!(Role::parse(role.key()), role, "keys read back");
        }
        assert_eq!(Role::parse("someone"), Role::Unset);
    }
}
