// Package localmail holds the development email senders, none of which
// reaches a mail provider: Log writes one structured log line per email (the
// text body included, so a verification link can be clicked from the
// console), File writes one RFC 5322 .eml file per email into a mailbox
// directory, and None drops every email.
//
// ReadMailbox parses the File sender's directory back into messages; tests
// across the project use it to read the mail the application sent.
package localmail
