#include "tests/support/test_ca.hpp"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <fstream>
#include <memory>
#include <stdexcept>
#include <utility>
#include <vector>

namespace switchyard::testing {

namespace {

template <auto Free>
struct Freer {
    template <class T>
    void operator()(T* p) const {
        Free(p);
    }
};
using Key = std::unique_ptr<EVP_PKEY, Freer<EVP_PKEY_free>>;
using Certificate = std::unique_ptr<X509, Freer<X509_free>>;
using Extension = std::unique_ptr<X509_EXTENSION, Freer<X509_EXTENSION_free>>;
using Bio = std::unique_ptr<BIO, Freer<BIO_free>>;

[[noreturn]] void fail(const std::string& what) {
    char reason[256] = "";
    ERR_error_string_n(ERR_get_error(), reason, sizeof reason);
    throw std::runtime_error("test CA: " + what + ": " + reason);
}

void require(bool ok, const char* what) {
    if (!ok) fail(what);
}

Key make_key() {
    Key key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
    require(key != nullptr, "generating a P-256 key");
    return key;
}

struct Spec {
    std::string common_name;
    long serial = 1;
    std::vector<std::pair<int, std::string>> extensions;  // NID and value, as in openssl.cnf
};

// The extensions of a CA, and of a server certificate for localhost and 127.0.0.1.
std::vector<std::pair<int, std::string>> ca_extensions() {
    return {{NID_basic_constraints, "critical,CA:TRUE"},
            {NID_key_usage, "critical,keyCertSign,cRLSign"},
            {NID_subject_key_identifier, "hash"}};
}
std::vector<std::pair<int, std::string>> server_extensions(const std::string& names = "DNS:localhost,IP:127.0.0.1") {
    return {{NID_basic_constraints, "critical,CA:FALSE"},
            {NID_key_usage, "critical,digitalSignature"},
            {NID_ext_key_usage, "serverAuth"},
            {NID_subject_alt_name, names},
            {NID_subject_key_identifier, "hash"},
            {NID_authority_key_identifier, "keyid:always"}};
}

// A certificate for `key`, signed by `issuer` with `issuer_key`, or self-signed when `issuer`
// is null. Valid from an hour ago (a clock a little behind must not matter) for 30 days.
Certificate make_certificate(const Spec& spec, EVP_PKEY* key, X509* issuer, EVP_PKEY* issuer_key) {
    Certificate certificate(X509_new());
    X509* x = certificate.get();
    require(x && X509_set_version(x, X509_VERSION_3), "X509_new");
    require(ASN1_INTEGER_set(X509_get_serialNumber(x), spec.serial), "serial number");
    require(X509_gmtime_adj(X509_getm_notBefore(x), -3600) && X509_gmtime_adj(X509_getm_notAfter(x), 30L * 24 * 3600),
            "validity");
    require(X509_set_pubkey(x, key), "public key");
    X509_NAME* name = X509_get_subject_name(x);
    require(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                       reinterpret_cast<const unsigned char*>(spec.common_name.c_str()), -1, -1, 0),
            "subject");
    require(X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name), "issuer");
    X509V3_CTX context;
    X509V3_set_ctx_nodb(&context);
    X509V3_set_ctx(&context, issuer ? issuer : x, x, nullptr, nullptr, 0);
    for (const auto& [nid, value] : spec.extensions) {
        Extension extension(X509V3_EXT_conf_nid(nullptr, &context, nid, value.c_str()));
        require(extension && X509_add_ext(x, extension.get(), -1), "extension");
    }
    require(X509_sign(x, issuer_key ? issuer_key : key, EVP_sha256()) > 0, "signing");
    return certificate;
}

std::string drain(BIO* bio) {
    char* data = nullptr;
    long size = BIO_get_mem_data(bio, &data);
    return std::string(data, static_cast<std::size_t>(size));
}

TlsIdentity pem_of(X509* certificate, EVP_PKEY* key) {
    Bio cert_bio(BIO_new(BIO_s_mem())), key_bio(BIO_new(BIO_s_mem()));
    require(cert_bio && key_bio, "BIO_new");
    require(PEM_write_bio_X509(cert_bio.get(), certificate), "writing a certificate");
    require(PEM_write_bio_PrivateKey(key_bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr), "writing a key");
    return {drain(cert_bio.get()), drain(key_bio.get())};
}

TestCa make_test_ca() {
    Key ca_key = make_key(), server_key = make_key(), rogue_key = make_key(), elsewhere_key = make_key();
    auto ca = make_certificate({"Switchyard Test CA", 1, ca_extensions()}, ca_key.get(), nullptr, nullptr);
    auto server = make_certificate({"localhost", 2, server_extensions()}, server_key.get(), ca.get(), ca_key.get());
    auto rogue = make_certificate({"localhost", 3, server_extensions()}, rogue_key.get(), nullptr, nullptr);
    auto elsewhere = make_certificate({"elsewhere.invalid", 4, server_extensions("DNS:elsewhere.invalid")},
                                      elsewhere_key.get(), ca.get(), ca_key.get());
    return {pem_of(ca.get(), ca_key.get()), pem_of(server.get(), server_key.get()), pem_of(rogue.get(), rogue_key.get()),
            pem_of(elsewhere.get(), elsewhere_key.get())};
}

// The file lives as long as the process: removed by this static's destructor.
struct TemporaryFile {
    std::filesystem::path path;
    TemporaryFile(std::filesystem::path p, const std::string& text) : path(std::move(p)) {
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        out << text;
        if (!out.flush()) throw std::runtime_error("test CA: cannot write " + path.string());
    }
    ~TemporaryFile() {
        std::error_code ignored;
        std::filesystem::remove(path, ignored);
    }
    TemporaryFile(const TemporaryFile&) = delete;
    TemporaryFile& operator=(const TemporaryFile&) = delete;
};

}  // namespace

const TestCa& test_ca() {
    static const TestCa ca = make_test_ca();
    return ca;
}

const std::filesystem::path& test_ca_file() {
    static const TemporaryFile file(
        std::filesystem::temp_directory_path() / ("switchyard-test-ca-" + std::to_string(::getpid()) + ".pem"),
        test_ca().ca.certificate_pem);
    return file.path;
}

}  // namespace switchyard::testing
