package server

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"

	"charm.land/ssh"
	gossh "golang.org/x/crypto/ssh"
)

// LoadOrCreateHostKey reads the ed25519 host key at path, creating it with
// mode 0600 (and its .pub next to it) when the file does not exist.
//
// Creation is crash-safe and safe against a concurrent first start: the key
// is written to a temporary file in the same folder and synced, then linked
// into place, which fails rather than replaces when another process got
// there first (its key is then used); the folder is synced last. A private
// key that group or others may access is refused.
func LoadOrCreateHostKey(path string) (ssh.Signer, error) {
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		if raw, err = createHostKey(path); err != nil {
			return nil, err
		}
	} else if err != nil {
		return nil, fmt.Errorf("chiave host %s: %w", path, err)
	}
	if err := checkHostKeyMode(path); err != nil {
		return nil, err
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, fmt.Errorf("chiave host %s vuota, probabilmente lasciata da un arresto durante la sua creazione: cancellarla (rm %s) e riavviare, ne verrà creata una nuova (i client vedranno cambiare l'impronta del server)", path, path)
	}
	signer, err := gossh.ParsePrivateKey(raw)
	if err != nil {
		return nil, fmt.Errorf("chiave host %s non leggibile (attesa una chiave privata OpenSSH senza passphrase): %w", path, err)
	}
	return signer, nil
}

// checkHostKeyMode refuses a private key that group or others may access:
// anyone able to read it can impersonate the server.
func checkHostKeyMode(path string) error {
	if runtime.GOOS == "windows" {
		return nil // no Unix permission bits
	}
	fi, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("chiave host %s: %w", path, err)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return fmt.Errorf("chiave host %s accessibile ad altri utenti (permessi %04o): la chiave privata deve essere leggibile solo dal proprietario; correggere con: chmod 600 %s", path, perm, path)
	}
	return nil
}

// createHostKey generates a key and puts it at path, or returns the key
// another process put there first.
func createHostKey(path string) ([]byte, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	block, err := gossh.MarshalPrivateKey(priv, "cieaudit host key")
	if err != nil {
		return nil, err
	}
	raw := pem.EncodeToMemory(block)
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("cartella della chiave host: %w", err)
	}
	tmp, err := writeSynced(dir, filepath.Base(path), raw, 0o600)
	if err != nil {
		return nil, fmt.Errorf("scrittura della chiave host %s: %w", path, err)
	}
	defer os.Remove(tmp)
	linkErr := os.Link(tmp, path)
	switch {
	case errors.Is(linkErr, fs.ErrExist):
		// Another start created it meanwhile: its key is the one.
		return readExistingHostKey(path)
	case linkErr != nil:
		// A filesystem without hard links: rename, when the key is still
		// absent (the race left is between two starts on such a
		// filesystem in the same instant).
		if _, err := os.Lstat(path); err == nil {
			return readExistingHostKey(path)
		}
		if err := os.Rename(tmp, path); err != nil {
			return nil, fmt.Errorf("creazione della chiave host %s: %w", path, err)
		}
	}
	if err := syncDir(dir); err != nil {
		return nil, fmt.Errorf("creazione della chiave host %s: %w", path, err)
	}
	sshPub, err := gossh.NewPublicKey(pub)
	if err != nil {
		return nil, err
	}
	// The .pub is a convenience for publishing the key; failing to write it
	// must not stop the server. Written whole or not at all.
	if tmpPub, err := writeSynced(dir, filepath.Base(path)+".pub", gossh.MarshalAuthorizedKey(sshPub), 0o644); err == nil {
		if os.Rename(tmpPub, path+".pub") != nil {
			os.Remove(tmpPub)
		}
		_ = syncDir(dir)
	}
	return raw, nil
}

func readExistingHostKey(path string) ([]byte, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("chiave host %s: %w", path, err)
	}
	return raw, nil
}

// writeSynced writes data to a new temporary file in dir, named after name,
// with mode perm, synced to disk; it returns the file's path.
func writeSynced(dir, name string, data []byte, perm os.FileMode) (string, error) {
	f, err := os.CreateTemp(dir, "."+name+".tmp-*")
	if err != nil {
		return "", err
	}
	tmp := f.Name()
	fail := func(err error) (string, error) {
		f.Close()
		os.Remove(tmp)
		return "", err
	}
	if err := f.Chmod(perm); err != nil {
		return fail(err)
	}
	if _, err := f.Write(data); err != nil {
		return fail(err)
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return "", err
	}
	return tmp, nil
}

// syncDir makes a new name in dir durable.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil // directories cannot be synced there
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
