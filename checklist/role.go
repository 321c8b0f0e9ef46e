package checklist

import "fmt"

// Role is what a user may do. Roles are cumulative: an auditor can do what a
// viewer can, an admin what an auditor can.
type Role string

const (
	RoleViewer  Role = "viewer"  // reads and exports
	RoleAuditor Role = "auditor" // also answers and edits audits
	RoleAdmin   Role = "admin"   // also manages users and deletes
)

// ParseRole accepts admin, auditor or viewer.
func ParseRole(s string) (Role, error) {
	switch Role(s) {
	case RoleViewer, RoleAuditor, RoleAdmin:
		return Role(s), nil
	}
	return "", fmt.Errorf("ruolo %q sconosciuto: usare admin, auditor o viewer", s)
}

// CanEdit reports whether the role may answer and edit audits.
func (r Role) CanEdit() bool { return r == RoleAuditor || r == RoleAdmin }

// CanAdminister reports whether the role may manage users and delete audits.
func (r Role) CanAdminister() bool { return r == RoleAdmin }

// Label is the Italian display name.
func (r Role) Label() string {
	switch r {
	case RoleViewer:
		return "lettore"
	case RoleAuditor:
		return "auditor"
	case RoleAdmin:
		return "amministratore"
	}
	return string(r)
}
