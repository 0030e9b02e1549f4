// Package layers holds the test that keeps Whipcount's layers apart. It has
// no code of its own. The rules, checked on non-test dependencies with
// `go list -deps`:
//
//   - internal/advocacy, the domain, depends on no package of this module.
//   - the server's small helpers, internal/mapdraw (SVG drawing) and
//     internal/ttlcache (short-lived caches), depend on no package of this
//     module.
//   - internal/server, the HTTP layer, depends on none of the adapters:
//     internal/sqlite (storage), internal/delivery (CWC and mail),
//     internal/congress (member data), internal/congressgov and
//     internal/geocoder. It declares small interfaces; cmd/whipcount wires
//     the adapters in.
//   - the services that run workflows outside HTTP, internal/letters,
//     internal/campaigns and internal/accounts, depend on none of those
//     adapters either.
//   - templates depend on no package of this module but internal/advocacy.
//   - internal/testkit, the shared test fixtures, is imported by no package
//     of this module outside its _test.go files.
package layers
