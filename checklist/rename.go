package checklist

import (
	"slices"
	"strings"
)

// ScopeRename is the rule of what renaming a sede or a postazione changes
// besides the perimeter (Audit.RenameSede/RenamePostazione) and the keys
// of its answers: the cycle records that name it. An operator's
// postazioni follow a postazione's new code; a security event's scope
// follows its sede's or postazione's new name. Transmitted baselines are
// not touched: they state what the plan said at that moment.
type ScopeRename struct{ From, To Scope }

// names reports whether sc is the scope being renamed (ignoring case, as
// every sede name and postazione code).
func (r ScopeRename) names(sc Scope) bool {
	return r.From != r.To && sc.Kind == r.From.Kind && strings.EqualFold(sc.Name, r.From.Name)
}

// Operator returns o with the renamed postazione's code replaced in the
// postazioni it uses, and whether anything changed.
func (r ScopeRename) Operator(o Operator) (Operator, bool) {
	if r.From.Kind != ScopePostazione {
		return o, false
	}
	codes, changed := slices.Clone(o.Postazioni), false
	for i, code := range codes {
		if r.names(Scope{Kind: ScopePostazione, Name: code}) {
			codes[i], changed = r.To.Name, true
		}
	}
	if changed {
		o.Postazioni = codes
	}
	return o, changed
}

// Event returns e with its scope renamed when it is the renamed sede or
// postazione, and whether anything changed.
func (r ScopeRename) Event(e SecurityEvent) (SecurityEvent, bool) {
	if !r.names(e.Scope) {
		return e, false
	}
	e.Scope = r.To
	return e, true
}
