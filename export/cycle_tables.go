package export

import (
	"strconv"
	"strings"

	"github.com/cieaudit/cieaudit/checklist"
)

// The tables of the yearly cycle (docs/cycle.md).
const (
	TableEvents     Table = "eventi"
	TableOperators  Table = "operatori"
	TableVariations Table = "variazioni"
)

var cycleColumns = map[Table][]Column{
	TableEvents: {
		auditIDColumn,
		{Name: "event_id", Doc: "Event ID in the audit's register, `ev-N`."},
		{Name: "at", Date: true, Doc: "When the event happened: `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM` (local time, as recorded)."},
		{Name: "scope", Doc: "Where: `ente`, `sede:NAME` or `postazione:CODE`."},
		{Name: "scope_label", Doc: "Italian label of the scope."},
		{Name: "threat_id", Doc: "Catalogue threat, when given."},
		{Name: "description", Doc: "What happened."},
		{Name: "areas", Label: labelAreas, Doc: "Areas hit, `riservatezza`, `integrita`, `disponibilita`, separated by ` | `."},
		{Name: "actions", Doc: "Actions taken."},
		{Name: "notified", Doc: "Who was notified and when, as `recipient@when` (`prefettura`, `helpdesk`, `forze-ordine`, `garante`), separated by ` | `."},
		{Name: "gdpr_deadline", Date: true, Doc: "End of the 72 hours of GDPR art. 33 (`YYYY-MM-DDTHH:MM`) for an event that hit confidentiality, else empty."},
		{Name: "gdpr_note", Doc: "What GDPR art. 33 asks of the event, in Italian (empty when it does not apply)."},
		{Name: "status", Doc: "`aperto` or `chiuso`."},
		{Name: "closed_on", Date: true, Doc: "Closing date, `YYYY-MM-DD`."},
		{Name: "close_note", Doc: "Closing note."},
	},
	TableOperators: {
		auditIDColumn,
		{Name: "operator_id", Doc: "Operator ID in the audit's register, `op-N`."},
		{Name: "name", Doc: "Name of the operator."},
		{Name: "role", Doc: "`ufficiale` (ufficiale d'anagrafe) or `delegato`."},
		{Name: "role_label", Doc: "Italian label of the role."},
		{Name: "act", Doc: "Delegation or appointment act."},
		{Name: "sco", Doc: "Serial of the operator's smart card (SCO)."},
		{Name: "sco_delivered", Date: true, Doc: "SCO delivery date, `YYYY-MM-DD`."},
		{Name: "verbale", Doc: "Delivery record (verbale di consegna)."},
		{Name: "trained_on", Date: true, Doc: "Training date, `YYYY-MM-DD`."},
		{Name: "postazioni", Doc: "Workstation codes used, separated by ` | `."},
		{Name: "revoked_on", Date: true, Doc: "Revocation date, `YYYY-MM-DD`."},
		{Name: "findings", Doc: "What is wrong with the entry (e.g. an SCO held by a delegate without act), in Italian, separated by ` | `."},
	},
	TableVariations: {
		auditIDColumn,
		{Name: "variation_id", Doc: "`V` followed by the history sequence of the change."},
		{Name: "seq", Numeric: true, Doc: "History sequence of the change (see `storico.csv`)."},
		{Name: "day", Date: true, Doc: "Day of the change in Italian time, `YYYY-MM-DD` (the quarter it counts in)."},
		{Name: "at", Date: true, Doc: "When the change was recorded, RFC 3339 in UTC."},
		{Name: "area", Doc: "`perimetro`, `organizzazione`, `operatori` or `misura`."},
		{Name: "area_label", Doc: "Italian label of the area."},
		{Name: "scope", Doc: "Scope concerned, for a measure's outcome."},
		{Name: "item", Doc: "Item (or register ID) concerned."},
		{Name: "old", Doc: "Before: the outcome label for a measure, the recorded text otherwise."},
		{Name: "new", Doc: "After, in the same form."},
		{Name: "author", Doc: "Who made the change."},
	},
}

func cycleRows(t Table, snap *checklist.Snapshot, emit rowWriter) error {
	id := snap.Audit.ID
	switch t {
	case TableEvents:
		for _, e := range snap.Events {
			areas := make([]string, len(e.Areas))
			for i, a := range e.Areas {
				areas[i] = string(a)
			}
			notices := make([]string, len(e.Notified))
			for i, n := range e.Notified {
				notices[i] = string(n.To) + "@" + n.At
			}
			if err := emit([]string{id, e.ID, e.At, e.Scope.String(), e.Scope.Label(), e.Threat, e.Description,
				strings.Join(areas, listSeparator), e.Actions, strings.Join(notices, listSeparator), e.GDPRDeadline(), e.GDPRNote(),
				string(e.Status), e.ClosedOn, e.CloseNote}); err != nil {
				return err
			}
		}
	case TableOperators:
		for _, o := range snap.Operators {
			if err := emit([]string{id, o.ID, o.Name, string(o.Role), o.Role.Label(), o.Act, o.SCO, o.SCODelivered, o.Verbale, o.TrainedOn,
				strings.Join(o.Postazioni, listSeparator), o.RevokedOn, strings.Join(o.Findings(), listSeparator)}); err != nil {
				return err
			}
		}
	case TableVariations:
		for _, v := range checklist.Variations(snap) {
			if err := emit([]string{id, v.ID, strconv.FormatUint(v.Seq, 10), v.Day, timestamp(v.At), string(v.Area), v.Area.Label(),
				v.Scope, v.Item, v.Old, v.New, v.Author}); err != nil {
				return err
			}
		}
	}
	return nil
}
