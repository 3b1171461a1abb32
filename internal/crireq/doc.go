// Package crireq holds the checks of CRI requests that both the server
// (server/) and a backend serving CRI on its own (the embedded runtime) make,
// so that both answer a malformed request with the same InvalidArgument
// message naming the field as the proto spells it.
package crireq
