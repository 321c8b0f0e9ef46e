package main

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
	"golang.org/x/term"
)

// bundleSigner loads the key that signs SHA256SUMS (export --sign). path
// names an OpenSSH private key, or a public key (.pub) whose private half
// is held by the SSH agent (SSH_AUTH_SOCK), as `ssh-keygen -Y sign -f`
// accepts. A passphrase-protected key is taken from the agent when it
// holds it, otherwise the passphrase is asked on the terminal; without a
// terminal the key is refused. No message ever quotes the key.
func (a *app) bundleSigner(path string) (ssh.Signer, error) {
	const what = "la chiave di firma"
	raw, err := a.readUserFile(what, path, maxKeyFileBytes)
	if err != nil {
		return nil, err
	}
	if pub, _, _, _, err := ssh.ParseAuthorizedKey(raw); err == nil && !bytes.Contains(raw, []byte("PRIVATE KEY")) {
		return agentSigner(path, pub)
	}
	signer, err := ssh.ParsePrivateKey(raw)
	var missing *ssh.PassphraseMissingError
	switch {
	case errors.As(err, &missing):
		if missing.PublicKey != nil {
			if s, aerr := agentSigner(path, missing.PublicKey); aerr == nil {
				return s, nil
			}
		}
		pass, perr := a.askPassphrase(path)
		if perr != nil {
			return nil, perr
		}
		signer, err = ssh.ParsePrivateKeyWithPassphrase(raw, pass)
		if err != nil {
			return nil, fmt.Errorf("%s %s: passphrase errata o chiave non leggibile", what, path)
		}
	case err != nil:
		return nil, fmt.Errorf("%s %s non è una chiave privata OpenSSH né una chiave pubblica (.pub) dell'agente SSH", what, path)
	}
	return signer, nil
}

// agentSigner finds pub among the SSH agent's keys.
func agentSigner(path string, pub ssh.PublicKey) (ssh.Signer, error) {
	sock := os.Getenv("SSH_AUTH_SOCK")
	if sock == "" {
		return nil, fmt.Errorf("la chiave di firma %s è nell'agente SSH, ma SSH_AUTH_SOCK non è impostata", path)
	}
	conn, err := net.Dial("unix", sock)
	if err != nil {
		return nil, fmt.Errorf("agente SSH non raggiungibile (SSH_AUTH_SOCK): %v", err)
	}
	signers, err := agent.NewClient(conn).Signers()
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("agente SSH: elenco delle chiavi non riuscito: %v", err)
	}
	want := pub.Marshal()
	for _, s := range signers {
		if bytes.Equal(s.PublicKey().Marshal(), want) {
			// The connection stays open for the signature; the process
			// ends soon after the export.
			return s, nil
		}
	}
	conn.Close()
	return nil, fmt.Errorf("l'agente SSH non ha la chiave di firma %s (aggiungerla con ssh-add)", path)
}

// askPassphrase reads the key's passphrase from the terminal without echo.
func (a *app) askPassphrase(path string) ([]byte, error) {
	tty, err := os.OpenFile("/dev/tty", os.O_RDWR, 0)
	if err != nil || !term.IsTerminal(int(tty.Fd())) {
		if tty != nil {
			tty.Close()
		}
		return nil, fmt.Errorf("la chiave di firma %s è protetta da passphrase: caricarla nell'agente SSH (ssh-add) o eseguire il comando da un terminale", path)
	}
	defer tty.Close()
	fmt.Fprintf(tty, "Passphrase della chiave %s: ", path)
	pass, err := term.ReadPassword(int(tty.Fd()))
	fmt.Fprintln(tty)
	if err != nil {
		return nil, fmt.Errorf("passphrase della chiave %s non letta: %v", path, err)
	}
	return pass, nil
}
