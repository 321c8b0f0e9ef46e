package checklist

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// SetStatus moves a through bozza → in_corso → chiuso and returns the
// history entry that records it (storage adds author and time). Closing
// stores the sign-off (its auditors default to the audit's, its date to
// today); reopening a closed audit needs a reason and goes to in_corso; an
// audit that has started does not go back to bozza.
func (a *Audit) SetStatus(to Status, reason string, signOff *SignOff, today time.Time) (Change, error) {
	from := a.Status
	change := Change{Kind: ChangeStatus, Old: string(from), New: string(to), Reason: strings.TrimSpace(reason)}
	switch {
	case to != StatusDraft && to != StatusInProgress && to != StatusClosed:
		return Change{}, fieldErr("status", "stato %q non valido: usare bozza, in_corso o chiuso", to)
	case from == to:
		return Change{}, fieldErr("status", "l'audit %s è già nello stato %q", a.ID, to.Label())
	case to == StatusClosed:
		if signOff == nil {
			return Change{}, errors.New("per chiudere l'audit servono i dati di chiusura (auditor, luogo, data)")
		}
		so := *signOff
		so.Auditors = slices.Clone(so.Auditors)
		if len(so.Auditors) == 0 {
			so.Auditors = slices.Clone(a.Auditors)
		}
		if so.Date == "" {
			so.Date = today.Format(time.DateOnly)
		} else {
			d, err := NormaliseDate("data di chiusura", so.Date)
			if err != nil {
				return Change{}, err
			}
			so.Date = d
		}
		a.SignOff = &so
		change.New = fmt.Sprintf("%s (firmato da %s, %s, %s)", to, strings.Join(so.Auditors, ", "), so.Place, so.Date)
	case from == StatusClosed:
		if to != StatusInProgress {
			return Change{}, fieldErr("status", "un audit chiuso si riapre nello stato %q", StatusInProgress.Label())
		}
		if change.Reason == "" {
			return Change{}, fieldErr("reason", "per riaprire un audit chiuso serve una motivazione")
		}
		a.SignOff = nil
	case to == StatusDraft:
		return Change{}, fieldErr("status", "un audit già iniziato non torna in bozza")
	}
	a.Status = to
	return change, nil
}
