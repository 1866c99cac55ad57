package domain

import "github.com/groundworkhq/groundwork/kernel"

// Token is the kernel's secret credential: session cookies, verification
// and reset links carry one.
type Token = kernel.Token

// The token functions iam uses, the kernel's.
var (
	NewToken    = kernel.NewToken
	ParseToken  = kernel.ParseToken
	HashString  = kernel.HashString
	HashesEqual = kernel.HashesEqual
)

// TokenBytes is the size of a Token's secret: 256 random bits.
const TokenBytes = kernel.TokenBytes
