// Package standin holds local stand-ins for the outside services Whipcount
// talks to (CWC, Congress.gov, the Census geocoder, the upstream member data,
// SMTP), for tests in every package. Each stand-in is a real server on
// loopback that answers in the service's own format, and records what it was
// sent so tests can check it. Nothing here is used by the running app.
package standin
