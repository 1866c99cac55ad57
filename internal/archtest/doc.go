// Package archtest holds the architecture test: the dependency rules of
// DESIGN.md §1–2, checked on every build of the test suite.
//
//   - kernel imports only the standard library;
//   - a domain package imports only the standard library and kernel;
//   - an application package imports no infrastructure or interfaces
//     package, no database driver, no job queue and no net/http;
//   - no module imports another module's internal packages (Go's internal
//     rule already refuses it; the test names the culprit).
package archtest
