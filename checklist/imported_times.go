package checklist

import (
	"fmt"
	"time"
)

// MaxClockSkew is how far past the importing machine's clock a record's
// time may be in an imported bundle: a laptop's clock a little ahead of
// the jump host's is tolerated, a bundle dated in the future is not. The
// merge keeps the latest change, so a record dated years ahead would win
// every merge for as long as the audit lives.
const MaxClockSkew = time.Hour

// checkImportedTimes refuses any record time later than now plus
// MaxClockSkew (history, answers, evaluations, evidence, transmissions, the
// audit's own dates) and any register day (events, operators, plan
// transmissions) after the day of that moment in Italy: the CLI and the TUI
// never record either in the future. The error names the field and the
// time.
func checkImportedTimes(s *Snapshot, now time.Time) error {
	limit := now.Add(MaxClockSkew)
	refuse := func(field string, at time.Time) error {
		return fmt.Errorf("%s: data %s nel futuro rispetto all'orologio di questo computer (%s): "+
			"un fascicolo con date future prevarrebbe su ogni modifica; controllare l'orologio del computer che l'ha prodotto",
			field, at.In(rome).Format("02/01/2006 15:04:05"), now.In(rome).Format("02/01/2006 15:04:05"))
	}
	stamps := []struct {
		field string
		at    time.Time
	}{{"audit.created_at", s.Audit.CreatedAt}, {"audit.updated_at", s.Audit.UpdatedAt}}
	add := func(field string, at time.Time) {
		stamps = append(stamps, struct {
			field string
			at    time.Time
		}{field, at})
	}
	for i, a := range s.Answers {
		add(fmt.Sprintf("answers[%d].at", i), a.At)
	}
	for i, a := range s.Carried {
		add(fmt.Sprintf("carried[%d].at", i), a.At)
	}
	for i, e := range s.Evaluations {
		add(fmt.Sprintf("evaluations[%d].at", i), e.At)
	}
	for i, c := range s.History {
		add(fmt.Sprintf("history[%d].at", i), c.At)
	}
	for i, e := range s.Evidence {
		add(fmt.Sprintf("evidence[%d].at", i), e.At)
	}
	for i, b := range s.Baselines {
		add(fmt.Sprintf("baselines[%d].fixed_at", i), b.FixedAt)
	}
	for _, st := range stamps {
		if st.at.After(limit) {
			return refuse(st.field, st.at)
		}
	}
	today := LocalDay(limit)
	days := []struct{ field, day string }{}
	addDay := func(field, day string) {
		if day != "" {
			days = append(days, struct{ field, day string }{field, day})
		}
	}
	for i, e := range s.Events {
		addDay(fmt.Sprintf("events[%d].at", i), e.Day())
		addDay(fmt.Sprintf("events[%d].closed_on", i), e.ClosedOn)
	}
	for i, o := range s.Operators {
		addDay(fmt.Sprintf("operators[%d].sco_delivered", i), o.SCODelivered)
		addDay(fmt.Sprintf("operators[%d].trained_on", i), o.TrainedOn)
		addDay(fmt.Sprintf("operators[%d].revoked_on", i), o.RevokedOn)
	}
	for i, b := range s.Baselines {
		addDay(fmt.Sprintf("baselines[%d].sent_on", i), b.SentOn)
	}
	addDay("plan.adopted_on", s.Plan.AdoptedOn)
	addDay("plan.protocol_on", s.Plan.ProtocolOn)
	addDay("plan.sent_on", s.Plan.SentOn)
	addDay("plan.outcome_on", s.Plan.OutcomeOn)
	for _, d := range days {
		if d.day > today {
			return fmt.Errorf("%s: giorno %s nel futuro (oggi è il %s): cieaudit non registra date future; controllare l'orologio del computer che ha prodotto il fascicolo",
				d.field, ItalianDate(CleanText(d.day, false)), ItalianDate(LocalDay(now)))
		}
	}
	return nil
}
