//! Who works on a device, and what that lets the screen show. The role is given when the
//! device is invited (and can be changed on the device); it decides the home screen, keeps
//! the most sensitive notes off tablets a customer can see, and who may invite and remove
//! devices.

/// The role of the person a device is for (DOMAIN.md §6; 000 篇8: a consultant screens
/// surgery candidates).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
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

    /// Whether a device paired as `self` may erase a customer's file for good (her request
    /// under PIPL art. 47): the owner's and managers' devices only.
    pub fn erases(self) -> bool {
        self.is_management()
    }

    /// Whether a device paired as `self` may invite, or remove, a device with role `other`:
    /// the owner any device; a manager the staff's devices, not the owner's or a manager's;
    /// nobody else any. (A device paired without a role can do neither.)
    pub fn manages(self, other: Role) -> bool {
        match self {
            Role::Owner => true,
            Role::Manager => !matches!(other, Role::Owner | Role::Manager),
            Role::Unset | Role::Consultant | Role::Beautician | Role::FrontDesk => false,
        }
    }

    /// The roles a device paired as `self` may invite a device as (none: it invites nobody,
    /// nor shows a pairing code).
    pub fn invites(self) -> Vec<Role> {
        Role::ALL.into_iter().filter(|r| *r != Role::Unset && self.manages(*r)).collect()
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

    #[test]
    fn the_owner_manages_every_device_a_manager_the_staffs_and_staff_none() {
        for other in Role::ALL {
            assert!(Role::Owner.manages(other));
            assert!(!Role::Beautician.manages(other) && !Role::FrontDesk.manages(other));
            assert!(!Role::Consultant.manages(other) && !Role::Unset.manages(other));
        }
        assert!(Role::Manager.manages(Role::Beautician) && Role::Manager.manages(Role::FrontDesk));
        assert!(!Role::Manager.manages(Role::Owner) && !Role::Manager.manages(Role::Manager));
        assert_eq!(Role::Owner.invites().len(), Role::ALL.len() - 1, "every role but none");
        assert_eq!(Role::Manager.invites(), [Role::Consultant, Role::Beautician, Role::FrontDesk]);
        assert!(Role::Beautician.invites().is_empty() && Role::Unset.invites().is_empty());
    }
}
