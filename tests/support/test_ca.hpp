// A certificate authority for tests, made at run time with OpenSSL 3 (no openssl command, no
// keys in the repository): a CA, a server certificate it signed for localhost and 127.0.0.1,
// a "rogue" self-signed certificate for the same names that a client trusting the CA must
// refuse, and one the CA signed for another host. EC P-256 keys, so that making them all takes
// milliseconds.
#pragma once

#include <filesystem>
#include <string>

namespace switchyard::testing {

// A certificate and its private key, both PEM: what a TLS server presents.
struct TlsIdentity {
    std::string certificate_pem;
    std::string private_key_pem;
};

struct TestCa {
    TlsIdentity ca;      // self-signed, CA:TRUE; trust its certificate to trust `server`
    TlsIdentity server;  // signed by `ca`; SAN DNS:localhost, IP:127.0.0.1
    TlsIdentity rogue;   // self-signed, same SAN: verifies against nothing
    TlsIdentity elsewhere;  // signed by `ca` for DNS:elsewhere.invalid only: right issuer, wrong host
};

// Made on first use, once per process (thread-safe).
const TestCa& test_ca();

// The CA's certificate written to a file (once per process, removed at exit): for
// net::ClientOptions::ca_file.
const std::filesystem::path& test_ca_file();

}  // namespace switchyard::testing
