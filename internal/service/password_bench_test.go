package service

import (
	"fmt"
	"testing"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/bcrypt"
)

// BenchmarkPasswordHash compares the two hashes the contract allows, at the
// costs considered: bcrypt 10 and 11, and Argon2id at OWASP's parameters
// (m=19 MiB, t=2, p=1). ns/op is the CPU one sign-up costs on one core.
func BenchmarkPasswordHash(b *testing.B) {
	pw := prehash("Passw0rd!")
	for _, cost := range []int{10, 11} {
		b.Run("bcrypt-"+string(rune('0'+cost/10))+string(rune('0'+cost%10)), func(b *testing.B) {
			for b.Loop() {
				if _, err := bcrypt.GenerateFromPassword(pw, cost); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	// OWASP's five Argon2id configurations, which its cheat sheet gives as
	// equally strong (memory traded for passes).
	salt := make([]byte, 16)
	for _, c := range []struct {
		mib, t uint32
	}{{46, 1}, {19, 2}, {12, 3}, {9, 4}, {7, 5}} {
		b.Run(fmt.Sprintf("argon2id-m%dMiB-t%d-p1", c.mib, c.t), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				argon2.IDKey(pw, salt, c.t, c.mib*1024, 1, 32)
			}
		})
	}
}
