package storage

import (
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/cieaudit/cieaudit/checklist"
)

// The ente's stemma (docs/export.md, "Stemma"): the audit's info holds its
// reference (checklist.Audit.Logo), the bytes sit in audits/<id>/logo_data
// under their SHA-256 in hex, in the same content codec as the evidence
// files (tag f, checked against the key on reading). At most one entry;
// created by the first stemma, missing it reads as "no stemma".
var bucketLogoData = []byte("logo_data")

// SetLogo stores data as the audit's stemma (checklist.CheckLogo checks it;
// name is the file as the user gave it, for messages) and records the change
// in the history; nil data removes the stemma. The audit must be open.
// Setting the same image again changes nothing.
func (s *Store) SetLogo(auditID, name string, data []byte, author string) (checklist.Audit, error) {
	return s.EditAudit(auditID, author, nil, checklist.LogoChange{Set: true, Name: name, Data: data})
}

// EditAudit applies fn as UpdateAudit does (nil fn changes nothing) and the
// stemma change in one transaction: both are stored or neither is (the
// ente form and cieaudit audit set change the ente's data and its stemma
// together).
func (s *Store) EditAudit(auditID, author string, fn func(*checklist.Audit) error, logo checklist.LogoChange) (checklist.Audit, error) {
	var result checklist.Audit
	err := s.writeAudit(auditID, func(at *auditTx) error {
		if fn != nil {
			if err := at.update(author, "", fn); err != nil {
				return err
			}
		}
		if logo.Set {
			if err := at.setLogo(logo.Name, logo.Data, author); err != nil {
				return err
			}
		}
		result = at.audit
		return nil
	})
	if err != nil {
		return checklist.Audit{}, fmt.Errorf("modifica dell'audit %s: %w", auditID, err)
	}
	return result, nil
}

func (at *auditTx) setLogo(name string, data []byte, author string) error {
	var logo *checklist.Logo
	if data != nil {
		l, err := checklist.CheckLogo(name, data)
		if err != nil {
			return err
		}
		logo = &l
	}
	old := at.audit.Logo
	if logoEqual(old, logo) {
		return nil
	}
	if old != nil {
		if lb := at.b.Bucket(bucketLogoData); lb != nil {
			if err := lb.Delete([]byte(old.SHA256)); err != nil {
				return err
			}
		}
	}
	if logo != nil {
		lb, err := at.b.CreateBucketIfNotExists(bucketLogoData)
		if err != nil {
			return err
		}
		if err := evidenceDataCodec.put(lb, []byte(logo.SHA256), &evidenceContent{data}); err != nil {
			return err
		}
	}
	c := checklist.Change{Author: author, Kind: checklist.ChangeAudit}
	if old != nil {
		c.Old = "stemma: " + old.Summary()
	}
	if logo != nil {
		c.New = "stemma: " + logo.Summary()
	}
	if err := at.record(c); err != nil {
		return err
	}
	at.audit.Logo = logo
	return at.save()
}

// readLogo returns the bytes of the audit's stemma (nil without one),
// checked against its reference.
func readLogo(b *bolt.Bucket, a *checklist.Audit) ([]byte, error) {
	if a.Logo == nil {
		return nil, nil
	}
	data, err := readBlob(b, bucketLogoData, "stemma", a.Logo.SHA256)
	if err == nil && int64(len(data)) != a.Logo.Size {
		err = fmt.Errorf("%w: stemma di %d byte invece di %d", ErrCorrupt, len(data), a.Logo.Size)
	}
	return data, err
}

// copyLogo copies the stemma of the audit in bucket from into the audit
// being written (a carried audit keeps the comune's stemma).
func (at *auditTx) copyLogo(from *bolt.Bucket, prev *checklist.Audit) error {
	data, err := readLogo(from, prev)
	if err != nil || data == nil {
		return err
	}
	lb, err := at.b.CreateBucketIfNotExists(bucketLogoData)
	if err != nil {
		return err
	}
	return evidenceDataCodec.put(lb, []byte(prev.Logo.SHA256), &evidenceContent{data})
}
