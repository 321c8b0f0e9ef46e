package tui

import (
	"sync/atomic"

	"github.com/cieaudit/cieaudit/checklist"
	"github.com/cieaudit/cieaudit/storage"
)

// trackedStore counts the store calls in flight, so that the harness can
// tell a command doing I/O (wait for it, however slow the disk or the race
// detector) from a timer (drop it).
type trackedStore struct {
	Store
	inflight *atomic.Int32
}

func track[T any](s trackedStore, fn func() (T, error)) (T, error) {
	s.inflight.Add(1)
	defer s.inflight.Add(-1)
	return fn()
}

func (s trackedStore) ListAudits() ([]storage.AuditSummary, error) {
	return track(s, s.Store.ListAudits)
}
func (s trackedStore) Load(id string) (*checklist.Snapshot, error) {
	return track(s, func() (*checklist.Snapshot, error) { return s.Store.Load(id) })
}
func (s trackedStore) Catalogues() ([]storage.CatalogueInfo, error) {
	return track(s, s.Store.Catalogues)
}
func (s trackedStore) EnsureBuiltin() (*checklist.Catalogue, error) {
	return track(s, s.Store.EnsureBuiltin)
}
func (s trackedStore) CreateAudit(a checklist.Audit, author string) (checklist.Audit, error) {
	return track(s, func() (checklist.Audit, error) { return s.Store.CreateAudit(a, author) })
}
func (s trackedStore) UpdateAudit(id, author, reason string, fn func(*checklist.Audit) error) (checklist.Audit, error) {
	return track(s, func() (checklist.Audit, error) { return s.Store.UpdateAudit(id, author, reason, fn) })
}
func (s trackedStore) SetStatus(id string, st checklist.Status, author, reason string, so *checklist.SignOff) (checklist.Audit, error) {
	return track(s, func() (checklist.Audit, error) { return s.Store.SetStatus(id, st, author, reason, so) })
}
func (s trackedStore) SaveAnswer(id string, a checklist.Answer, rev int) (storage.SaveResult, error) {
	return track(s, func() (storage.SaveResult, error) { return s.Store.SaveAnswer(id, a, rev) })
}
func (s trackedStore) SaveValue(id string, a checklist.Answer, rev int) (storage.SaveResult, error) {
	return track(s, func() (storage.SaveResult, error) { return s.Store.SaveValue(id, a, rev) })
}
func (s trackedStore) SaveNote(id string, sc checklist.Scope, item, note, author string) (storage.SaveResult, error) {
	return track(s, func() (storage.SaveResult, error) { return s.Store.SaveNote(id, sc, item, note, author) })
}
func (s trackedStore) SaveEvaluation(id string, e checklist.Evaluation) error {
	_, err := track(s, func() (struct{}, error) { return struct{}{}, s.Store.SaveEvaluation(id, e) })
	return err
}
func (s trackedStore) SaveActionPlan(id string, p checklist.ActionPlan, author string) error {
	_, err := track(s, func() (struct{}, error) { return struct{}{}, s.Store.SaveActionPlan(id, p, author) })
	return err
}
func (s trackedStore) UIState(user string) (storage.UIState, error) {
	return track(s, func() (storage.UIState, error) { return s.Store.UIState(user) })
}
func (s trackedStore) SaveUIState(user string, st storage.UIState) error {
	_, err := track(s, func() (struct{}, error) { return struct{}{}, s.Store.SaveUIState(user, st) })
	return err
}
func (s trackedStore) AccessLog(limit int) ([]storage.AccessEntry, error) {
	return track(s, func() ([]storage.AccessEntry, error) { return s.Store.AccessLog(limit) })
}
func (s trackedStore) SaveAnswers(id string, answers []checklist.Answer, reason string, onlyUnanswered bool) ([]checklist.SaveResult, error) {
	return track(s, func() ([]checklist.SaveResult, error) { return s.Store.SaveAnswers(id, answers, reason, onlyUnanswered) })
}
