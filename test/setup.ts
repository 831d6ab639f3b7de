import nock from "nock";

// No test may reach the network: recordings are replayed by nock and the
// emulator listens on loopback only.
nock.disableNetConnect();
nock.enableNetConnect(/^(127\.0\.0\.1|localhost)(:\d+)?$/);
