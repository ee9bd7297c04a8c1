package accounts

import (
	"strings"
	"testing"
)

func TestPasswordHashing(t *testing.T) {
	h := HashPassword("correct horse battery staple", 1024)
	if !strings.HasPrefix(h, "$argon2id$v=19$m=1024,t=2,p=1$") {
		t.Fatalf("unexpected encoding %q", h)
	}
	if h == HashPassword("correct horse battery staple", 1024) {
		t.Error("two hashes of one password are equal: the salt is not random")
	}
	for pw, want := range map[string]bool{"correct horse battery staple": true, "correct horse battery stapl": false, "": false} {
		ok, err := CheckPassword(h, pw)
		if err != nil || ok != want {
			t.Errorf("CheckPassword(%q) = %v, %v; want %v", pw, ok, err, want)
		}
	}
	for _, bad := range []string{"", "$2a$10$bcrypt", "$argon2id$v=19$m=x$a$b", "$argon2id$v=18$m=1,t=1,p=1$AA$AA"} {
		if _, err := CheckPassword(bad, "x"); err == nil {
			t.Errorf("malformed hash %q accepted", bad)
		}
	}
}
