// Signing keys: key files round-trip, the secret one is private, bad files are refused naming the file and
// the problem, and the development key is made once and then reused.
#include "image/ImageReader.h"
#include "image/ImageWriter.h"
#include "image/Keys.h"
#include "image_test_support.h"

#include <doctest/doctest.h>

#include <sys/stat.h>

#include <cstdlib>
#include <fstream>

namespace {

using namespace spine::image;
using image_test::ScratchDir;

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

void writeText(const std::string& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

unsigned modeOf(const std::string& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_mode & 0777;
}

// Sets an environment variable for the scope of a test, then puts back what was there.
class ScopedEnv {
public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    value ? ::setenv(name, value, 1) : ::unsetenv(name);
  }
  ~ScopedEnv() { old_ ? ::setenv(name_, old_->c_str(), 1) : ::unsetenv(name_); }

private:
  const char* name_;
  std::optional<std::string> old_;
};

TEST_CASE("keys: writeKeyPair then readSecretKey/readPublicKey give back the same keys") {
  ScratchDir dir;
  std::string err;
  std::optional<KeyPair> kp = writeKeyPair(dir / "signer", err);
  REQUIRE_MESSAGE(kp, err);
  std::optional<SecretKey> secret = readSecretKey(dir / "signer.key", err);
  REQUIRE_MESSAGE(secret, err);
  std::optional<PublicKey> pub = readPublicKey(dir / "signer.pub", err);
  REQUIRE_MESSAGE(pub, err);
  CHECK(*secret == kp->secretKey);
  CHECK(*pub == kp->publicKey);
  CHECK(publicKeyOf(*secret) == *pub);
  // And the pair works: an image signed with the file's secret key verifies with the file's public key.
  Image image = image_test::sampleImage();
  CHECK(readImage(writeImage(image, *secret), {*pub}).ok());
}

TEST_CASE("keys: the secret key file is created with mode 0600, and both files say what they are") {
  ScratchDir dir;
  std::string err;
  std::optional<KeyPair> kp = writeKeyPair(dir / "k", err);
  REQUIRE_MESSAGE(kp, err);
  CHECK(modeOf(dir / "k.key") == 0600);
  std::ifstream key(dir / "k.key"), pub(dir / "k.pub");
  std::string line;
  std::getline(key, line);
  CHECK(line == "SPINE ed25519 secret key");
  std::getline(key, line);
  CHECK(line == "# id " + keyId(kp->publicKey));
  std::getline(pub, line);
  CHECK(line == "SPINE ed25519 public key");
}

TEST_CASE("keys: writeKeyPair never overwrites an existing key") {
  ScratchDir dir;
  std::string err;
  REQUIRE(writeKeyPair(dir / "k", err));
  std::optional<SecretKey> before = readSecretKey(dir / "k.key", err);
  CHECK_FALSE(writeKeyPair(dir / "k", err));
  CHECK(contains(err, "k.pub' already exists; not overwriting a key file"));
  CHECK(readSecretKey(dir / "k.key", err) == before);
}

TEST_CASE("keys: a key id is 16 hex digits, stable, and differs between keys") {
  KeyPair a = generateKeyPair(), b = generateKeyPair();
  CHECK(keyId(a.publicKey).size() == 16);
  CHECK(keyId(a.publicKey).find_first_not_of("0123456789abcdef") == std::string::npos);
  CHECK(keyId(a.publicKey) == keyId(a.publicKey));
  CHECK(keyId(a.publicKey) != keyId(b.publicKey));
}

TEST_CASE("keys: bad key files are refused with a message naming the file and the problem") {
  ScratchDir dir;
  std::string err;
  std::string path = dir / "bad.key";

  CHECK_FALSE(readSecretKey(dir / "absent.key", err));
  CHECK(err == "cannot read secret key file '" + (dir / "absent.key") + "': No such file or directory");

  writeText(path, "-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n");
  CHECK_FALSE(readSecretKey(path, err));
  CHECK(err == "'" + path + "' is not a SPINE secret key file: its first line is "
                            "'-----BEGIN OPENSSH PRIVATE KEY-----', expected 'SPINE ed25519 secret key'");

  REQUIRE(writeKeyPair(dir / "real", err));
  CHECK_FALSE(readSecretKey(dir / "real.pub", err));
  CHECK(err == "'" + (dir / "real.pub") + "' holds a public key, not a secret key");
  CHECK_FALSE(readPublicKey(dir / "real.key", err));
  CHECK(err == "'" + (dir / "real.key") + "' holds a secret key, not a public key");

  writeText(path, "SPINE ed25519 public key\n" + std::string(63, 'a') + "g\n");
  CHECK_FALSE(readPublicKey(path, err));
  CHECK(err == "'" + path + "' line 2: 'g' at column 64 is not a hex digit");

  writeText(path, "SPINE ed25519 public key\n# id x\n" + std::string(62, 'a') + "\n");
  CHECK_FALSE(readPublicKey(path, err));
  CHECK(err == "'" + path + "' line 3: the key is 62 hex digits long, expected 64 (32 bytes)");

  writeText(path, "SPINE ed25519 public key\n" + std::string(64, 'a') + "\nmore\n");
  CHECK_FALSE(readPublicKey(path, err));
  CHECK(err == "'" + path + "' line 3: unexpected text after the key: 'more'");

  writeText(path, "SPINE ed25519 public key\n\n");
  CHECK_FALSE(readPublicKey(path, err));
  CHECK(err == "'" + path + "': no key after the header line");

  writeText(path, "SPINE ed25519 secret key\n" + std::string(128, '1') + "\n");
  CHECK_FALSE(readSecretKey(path, err));
  CHECK(err == "'" + path + "': corrupt secret key: its public half does not match its seed");

  writeText(path, std::string(10000, 'x'));
  CHECK_FALSE(readSecretKey(path, err));
  CHECK(contains(err, "is not a SPINE secret key file: it is larger than 4096 bytes"));
}

TEST_CASE("keys: a key file with CRLF line ends and comments still reads") {
  ScratchDir dir;
  KeyPair kp = generateKeyPair();
  std::string err;
  REQUIRE(writePublicKey(dir / "k.pub", kp.publicKey, err));
  std::ifstream in(dir / "k.pub");
  std::string header, comment, hex;
  std::getline(in, header);
  std::getline(in, comment);
  std::getline(in, hex);
  writeText(dir / "crlf.pub", header + "\r\n# made on another machine\r\n\r\n  " + hex + "  \r\n");
  std::optional<PublicKey> pub = readPublicKey(dir / "crlf.pub", err);
  REQUIRE_MESSAGE(pub, err);
  CHECK(*pub == kp.publicKey);
}

TEST_CASE("keys: publicKeyPathFor puts the .pub beside the .key") {
  CHECK(publicKeyPathFor("/home/u/.spine/dev.key") == "/home/u/.spine/dev.pub");
  CHECK(publicKeyPathFor("signer") == "signer.pub");
  CHECK(publicKeyPathFor(".key") == ".key.pub");
}

TEST_CASE("keys: the development key defaults to ~/.spine/dev.key, or $SPINE_DEV_KEY") {
  ScopedEnv home("HOME", "/home/someone");
  {
    ScopedEnv unset("SPINE_DEV_KEY", nullptr);
    CHECK(devKeyPath() == "/home/someone/.spine/dev.key");
  }
  {
    ScopedEnv empty("SPINE_DEV_KEY", "");
    CHECK(devKeyPath() == "/home/someone/.spine/dev.key");
  }
  ScopedEnv set("SPINE_DEV_KEY", "/keys/mine.key");
  CHECK(devKeyPath() == "/keys/mine.key");
}

TEST_CASE("keys: the development key is created once, said so, and then reused silently") {
  ScratchDir dir;
  std::string path = dir / "nested/folder/dev.key";
  ScopedEnv env("SPINE_DEV_KEY", path.c_str());
  std::string note, err;
  std::optional<SecretKey> first = loadOrCreateDevKey(note, err);
  REQUIRE_MESSAGE(first, err);
  std::string id = keyId(publicKeyOf(*first));
  CHECK(contains(note, "created development key " + path + " (id " + id + ")"));
  CHECK(contains(note, "images signed with it load only where its public key " + (dir / "nested/folder/dev.pub") +
                           " is trusted"));
  CHECK(modeOf(path) == 0600);
  CHECK(modeOf(dir / "nested/folder") == 0700);
  std::optional<PublicKey> pub = readPublicKey(dir / "nested/folder/dev.pub", err);
  REQUIRE_MESSAGE(pub, err);
  CHECK(*pub == publicKeyOf(*first));

  std::optional<SecretKey> second = loadOrCreateDevKey(note, err);
  REQUIRE_MESSAGE(second, err);
  CHECK(*second == *first);
  CHECK(note.empty());
}

TEST_CASE("keys: a missing dev.pub is put back from the development key") {
  ScratchDir dir;
  ScopedEnv env("SPINE_DEV_KEY", (dir / "dev.key").c_str());
  std::string note, err;
  std::optional<SecretKey> key = loadOrCreateDevKey(note, err);
  REQUIRE_MESSAGE(key, err);
  std::filesystem::remove(dir / "dev.pub");
  REQUIRE(loadOrCreateDevKey(note, err));
  std::optional<PublicKey> pub = readPublicKey(dir / "dev.pub", err);
  REQUIRE_MESSAGE(pub, err);
  CHECK(*pub == publicKeyOf(*key));
}

TEST_CASE("keys: a damaged development key is reported, not silently replaced") {
  ScratchDir dir;
  ScopedEnv env("SPINE_DEV_KEY", (dir / "dev.key").c_str());
  writeText(dir / "dev.key", "garbage\n");
  std::string note, err;
  CHECK_FALSE(loadOrCreateDevKey(note, err));
  CHECK(contains(err, "'" + (dir / "dev.key") + "' is not a SPINE secret key file"));
  CHECK(note.empty());
}

}  // namespace
