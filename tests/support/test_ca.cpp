#include "support/test_ca.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "support/scratch.hpp"

namespace fd::test {

namespace {

struct FreeKey {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct FreeCertificate {
  void operator()(X509* certificate) const { X509_free(certificate); }
};
struct FreeBio {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
using Key = std::unique_ptr<EVP_PKEY, FreeKey>;
using Certificate = std::unique_ptr<X509, FreeCertificate>;

[[noreturn]] void fail(const std::string& what) {
  char reason[256] = "no OpenSSL error";
  if (auto code = ERR_get_error()) ERR_error_string_n(code, reason, sizeof reason);
  throw std::runtime_error("test CA: " + what + ": " + reason);
}

Key new_key() {
  Key key(EVP_EC_gen("P-256"));
  if (!key) fail("cannot make a P-256 key");
  return key;
}

void add_extension(X509* certificate, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, issuer, certificate, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value.c_str());
  if (!extension || X509_add_ext(certificate, extension, -1) != 1) fail("cannot add " + value);
  X509_EXTENSION_free(extension);
}

// An unsigned certificate of `key` named `common_name`, from the issuer (itself when issuer is null).
Certificate new_certificate(EVP_PKEY* key, const std::string& common_name, X509* issuer) {
  static std::atomic<long> serial{1};
  Certificate certificate(X509_new());
  if (!certificate) fail("cannot make a certificate");
  auto* self = certificate.get();
  X509_set_version(self, X509_VERSION_3);
  ASN1_INTEGER_set(X509_get_serialNumber(self), serial++);
  X509_gmtime_adj(X509_getm_notBefore(self), -60 * 60);  // the clocks of the two ends may differ a little
  X509_gmtime_adj(X509_getm_notAfter(self), 24 * 60 * 60);
  X509_set_pubkey(self, key);
  X509_NAME_add_entry_by_txt(X509_get_subject_name(self), "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1, 0);
  X509_set_issuer_name(self, X509_get_subject_name(issuer ? issuer : self));
  add_extension(self, issuer ? issuer : self, NID_subject_key_identifier, "hash");
  if (issuer) {
    add_extension(self, issuer, NID_authority_key_identifier, "keyid:always");
    add_extension(self, issuer, NID_basic_constraints, "critical,CA:FALSE");
    add_extension(self, issuer, NID_key_usage, "critical,digitalSignature");
    add_extension(self, issuer, NID_ext_key_usage, "serverAuth");
  } else {
    add_extension(self, self, NID_basic_constraints, "critical,CA:TRUE");
    add_extension(self, self, NID_key_usage, "critical,keyCertSign,cRLSign");
  }
  return certificate;
}

void sign(X509* certificate, EVP_PKEY* key) {
  if (X509_sign(certificate, key, EVP_sha256()) <= 0) fail("cannot sign a certificate");
}

template <class Write>
std::string pem(Write write) {
  std::unique_ptr<BIO, FreeBio> bio(BIO_new(BIO_s_mem()));
  if (!bio || write(bio.get()) != 1) fail("cannot write PEM");
  char* data = nullptr;
  auto size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(size));
}

std::string pem_of(X509* certificate) {
  return pem([&](BIO* bio) { return PEM_write_bio_X509(bio, certificate); });
}

}  // namespace

struct TestCa::State {
  Key key;
  Certificate certificate;
  std::string folder;
  std::string file;
};

TestCa::TestCa(const std::string& name) : state_(std::make_unique<State>()) {
  state_->key = new_key();
  state_->certificate = new_certificate(state_->key.get(), name, nullptr);
  sign(state_->certificate.get(), state_->key.get());
  state_->folder = make_temp_dir("fd-test-ca-");
  state_->file = state_->folder + "/ca.pem";
  std::ofstream(state_->file) << pem_of(state_->certificate.get());
}

TestCa::~TestCa() {
  std::error_code ignored;
  std::filesystem::remove_all(state_->folder, ignored);
}

TestCa::Issued TestCa::issue(const std::string& host) const {
  auto key = new_key();
  auto certificate = new_certificate(key.get(), host, state_->certificate.get());
  bool address = host.find_first_not_of("0123456789.") == std::string::npos;
  add_extension(certificate.get(), state_->certificate.get(), NID_subject_alt_name,
                (address ? "IP:" : "DNS:") + host);
  sign(certificate.get(), state_->key.get());
  return {pem_of(certificate.get()), pem([&](BIO* bio) {
            return PEM_write_bio_PrivateKey(bio, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
          })};
}

const std::string& TestCa::certificate_file() const { return state_->file; }

}  // namespace fd::test
