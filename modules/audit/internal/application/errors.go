package application

import (
	"github.com/groundworkhq/groundwork/kernel"
	"github.com/groundworkhq/groundwork/modules/audit/internal/domain"
)

// Codes of the errors the use cases return.
const (
	CodeInvalidEntry  = domain.CodeInvalidEntry
	CodeInvalidFilter = "audit.invalid_filter"
	CodeChainBroken   = "audit.chain_broken"
)

// ErrChainBroken refuses to prune entries whose chain does not verify:
// deleting them would destroy the evidence.
var ErrChainBroken = kernel.Conflict(CodeChainBroken,
	"The audit chain is broken; entries are kept until it is investigated (run groundwork audit verify).")
