//! What the audit log records. The log is append-only: entries are written
//! as things happen and never changed (the database refuses it too).

/// A kind of recorded event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditAction {
    SignedIn,
    SignInFailed,
    CapabilitiesChanged,
    MemberStatusChanged,
    ObservationPublished,
    ObservationLevelChanged,
    MilestoneAwarded,
    AwardRevoked,
    Exported,
    ManagerChanged,
    InvitationCreated,
    InvitationRevoked,
    InvitationAccepted,
    SettingsChanged,
    CapabilityGranted,
    JobsChanged,
    PeopleImported,
    CheckInOpened,
    CheckInFinalized,
    CheckInAcknowledged,
}

impl AuditAction {
    pub const ALL: [AuditAction; 20] = [
        AuditAction::SignedIn,
        AuditAction::SignInFailed,
        AuditAction::CapabilitiesChanged,
        AuditAction::MemberStatusChanged,
        AuditAction::ObservationPublished,
        AuditAction::ObservationLevelChanged,
        AuditAction::MilestoneAwarded,
        AuditAction::AwardRevoked,
        AuditAction::Exported,
        AuditAction::ManagerChanged,
        AuditAction::InvitationCreated,
        AuditAction::InvitationRevoked,
        AuditAction::InvitationAccepted,
        AuditAction::SettingsChanged,
        AuditAction::CapabilityGranted,
        AuditAction::JobsChanged,
        AuditAction::PeopleImported,
        AuditAction::CheckInOpened,
        AuditAction::CheckInFinalized,
        AuditAction::CheckInAcknowledged,
    ];

    /// How it is stored and filtered on.
    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::SignedIn => "signed_in",
            AuditAction::SignInFailed => "sign_in_failed",
            AuditAction::CapabilitiesChanged => "capabilities_changed",
            AuditAction::MemberStatusChanged => "member_status_changed",
            AuditAction::ObservationPublished => "observation_published",
            AuditAction::ObservationLevelChanged => "observation_level_changed",
            AuditAction::MilestoneAwarded => "milestone_awarded",
            AuditAction::AwardRevoked => "award_revoked",
            AuditAction::Exported => "exported",
            AuditAction::ManagerChanged => "manager_changed",
            AuditAction::InvitationCreated => "invitation_created",
            AuditAction::InvitationRevoked => "invitation_revoked",
            AuditAction::InvitationAccepted => "invitation_accepted",
            AuditAction::SettingsChanged => "settings_changed",
            AuditAction::CapabilityGranted => "capability_granted",
            AuditAction::JobsChanged => "jobs_changed",
            AuditAction::PeopleImported => "people_imported",
            AuditAction::CheckInOpened => "check_in_opened",
            AuditAction::CheckInFinalized => "check_in_finalized",
            AuditAction::CheckInAcknowledged => "check_in_acknowledged",
        }
    }

    pub fn parse(s: &str) -> Option<AuditAction> {
        AuditAction::ALL.into_iter().find(|a| a.as_str() == s)
    }

    /// How it reads on the audit page.
    pub fn label(self) -> &'static str {
        match self {
            AuditAction::SignedIn => "Signed in",
            AuditAction::SignInFailed => "Sign-in failed",
            AuditAction::CapabilitiesChanged => "Capabilities changed",
            AuditAction::MemberStatusChanged => "Membership changed",
            AuditAction::ObservationPublished => "Observation published",
            AuditAction::ObservationLevelChanged => "Observation privacy changed",
            AuditAction::MilestoneAwarded => "Milestone awarded",
            AuditAction::AwardRevoked => "Award revoked",
            AuditAction::Exported => "Exported",
            AuditAction::ManagerChanged => "Reports-to changed",
            AuditAction::InvitationCreated => "Invitation created",
            AuditAction::InvitationRevoked => "Invitation revoked",
            AuditAction::InvitationAccepted => "Invitation accepted",
            AuditAction::SettingsChanged => "Settings changed",
            AuditAction::CapabilityGranted => "Granted from the command line",
            AuditAction::JobsChanged => "Position or roles changed",
            AuditAction::PeopleImported => "People imported",
            AuditAction::CheckInOpened => "Check-in opened",
            AuditAction::CheckInFinalized => "Check-in finalized",
            AuditAction::CheckInAcknowledged => "Check-in acknowledged",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_round_trips_through_its_stored_name() {
        for a in AuditAction::ALL {
            assert_eq!(AuditAction::parse(a.as_str()), Some(a), "{a:?}");
            assert!(!a.label().is_empty());
        }
        let names: std::collections::HashSet<_> =
            AuditAction::ALL.iter().map(|a| a.as_str()).collect();
        assert_eq!(names.len(), AuditAction::ALL.len(), "names are distinct");
        for bad in ["", "SIGNED_IN", "signed in", "deleted"] {
            assert_eq!(AuditAction::parse(bad), None, "{bad:?}");
        }
    }
}
