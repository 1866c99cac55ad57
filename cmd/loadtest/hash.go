package main

import (
	"context"

	"golang.org/x/crypto/argon2"
)

// argon2id parameters of iam's password.DefaultParams (OWASP: 19 MiB, t=2,
// p=1, 16-byte salt, 32-byte key). That package is internal to
// modules/iam, so they are repeated here: keep the two in step.
const (
	hashMemoryKiB = 19 * 1024
	hashTime      = 2
	hashThreads   = 1
	hashKeyLen    = 32
)

var (
	hashPassword = []byte("correct horse battery staple")
	hashSalt     = []byte("0123456789abcdef") // 16 bytes; the rate does not depend on it
)

// hashOnce computes one argon2id hash, as a sign-in does to verify.
func hashOnce(context.Context, int) error {
	_ = argon2.IDKey(hashPassword, hashSalt, hashTime, hashMemoryKiB, hashThreads, hashKeyLen)
	return nil
}
