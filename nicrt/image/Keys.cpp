#include "image/Keys.h"

#include "image/detail/Sodium.h"

#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

namespace spine::image {
namespace {

constexpr const char* kSecretHeader = "SPINE ed25519 secret key";
constexpr const char* kPublicHeader = "SPINE ed25519 public key";
constexpr size_t kMaxKeyFileSize = 4096;

std::string toHex(const uint8_t* p, size_t n) {
  static const char* digits = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < n; ++i) {
    s += digits[p[i] >> 4];
    s += digits[p[i] & 15];
  }
  return s;
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string clip(std::string s) {
  for (char& c : s)
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) c = '?';
  return s.size() > 40 ? s.substr(0, 40) + "..." : s;
}

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

// Reads a key file whose first line is `header` and whose key is `out.size()` bytes of hex.
template <size_t N>
bool readKeyFile(const std::string& path, bool secret, std::array<uint8_t, N>& out, std::string& err) {
  const char* header = secret ? kSecretHeader : kPublicHeader;
  const char* kind = secret ? "secret" : "public";
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    err = "cannot read " + std::string(kind) + " key file '" + path + "': " + std::strerror(errno);
    return false;
  }
  std::string text(kMaxKeyFileSize + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  if (text.size() > kMaxKeyFileSize) {
    err = "'" + path + "' is not a SPINE " + kind + " key file: it is larger than " +
          std::to_string(kMaxKeyFileSize) + " bytes";
    return false;
  }
  std::istringstream lines(text);
  std::string line;
  std::getline(lines, line);
  line = trim(line);
  if (line != header) {
    if (line == (secret ? kPublicHeader : kSecretHeader))
      err = "'" + path + "' holds a " + (secret ? "public" : "secret") + " key, not a " + kind + " key";
    else
      err = "'" + path + "' is not a SPINE " + kind + " key file: its first line is '" + clip(line) +
            "', expected '" + header + "'";
    return false;
  }
  std::string hex;
  int hexLine = 0;
  for (int lineNo = 2; std::getline(lines, line); ++lineNo) {
    line = trim(line);
    if (line.empty() || line[0] == '#') continue;
    if (!hex.empty()) {
      err = "'" + path + "' line " + std::to_string(lineNo) + ": unexpected text after the key: '" + clip(line) +
            "'";
      return false;
    }
    hex = line;
    hexLine = lineNo;
  }
  if (hex.empty()) {
    err = "'" + path + "': no key after the header line";
    return false;
  }
  std::string where = "'" + path + "' line " + std::to_string(hexLine);
  for (size_t i = 0; i < hex.size(); ++i)
    if (hexValue(hex[i]) < 0) {
      err = where + ": '" + clip(hex.substr(i, 1)) + "' at column " + std::to_string(i + 1) +
            " is not a hex digit";
      return false;
    }
  if (hex.size() != 2 * N) {
    err = where + ": the key is " + std::to_string(hex.size()) + " hex digits long, expected " +
          std::to_string(2 * N) + " (" + std::to_string(N) + " bytes)";
    return false;
  }
  for (size_t i = 0; i < N; ++i) out[i] = static_cast<uint8_t>(hexValue(hex[2 * i]) * 16 + hexValue(hex[2 * i + 1]));
  return true;
}

// Writes `text` to a temporary file beside `path`, then links it into place: readers never see half a file,
// and `overwrite` false refuses (EEXIST) if `path` is there, even when another process just created it.
bool writeFileAtomically(const std::string& path, const std::string& text, mode_t mode, bool overwrite,
                         std::string& err) {
  static std::atomic<unsigned> serial{0};
  std::string tmp = path + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(serial++);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) {
    err = "cannot create '" + path + "': " + std::strerror(errno);
    return false;
  }
  bool ok = ::fchmod(fd, mode) == 0;
  for (size_t done = 0; ok && done < text.size();) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) ok = false;
    else done += static_cast<size_t>(n);
  }
  if (ok) ok = ::fsync(fd) == 0;
  int writeErrno = errno;
  ::close(fd);
  if (!ok) {
    ::unlink(tmp.c_str());
    err = "cannot write '" + path + "': " + std::strerror(writeErrno);
    return false;
  }
  int rc = overwrite ? ::rename(tmp.c_str(), path.c_str()) : ::link(tmp.c_str(), path.c_str());
  int linkErrno = errno;
  ::unlink(tmp.c_str());
  if (rc != 0) {
    err = linkErrno == EEXIST ? "'" + path + "' already exists; not overwriting a key file"
                              : "cannot create '" + path + "': " + std::strerror(linkErrno);
    return false;
  }
  return true;
}

std::string keyFileText(const char* header, const PublicKey& pub, const uint8_t* key, size_t n) {
  return std::string(header) + "\n# id " + keyId(pub) + "\n" + toHex(key, n) + "\n";
}

// Creates the folder that will hold `path` (mode 0700: it holds a secret key) if it is missing.
bool makeParentDir(const std::string& path, std::string& err) {
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos || slash == 0) return true;
  std::string dir = path.substr(0, slash);
  struct stat st;
  if (::stat(dir.c_str(), &st) == 0) return true;
  if (!makeParentDir(dir, err)) return false;
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    err = "cannot create the folder '" + dir + "' for the development key: " + std::strerror(errno);
    return false;
  }
  return true;
}

// "~/.spine/dev.key" reads better than "/home/someone/.spine/dev.key" in a note.
std::string displayPath(const std::string& path) {
  const char* home = std::getenv("HOME");
  if (home && *home) {
    std::string h = home;
    if (path.size() > h.size() && path.compare(0, h.size(), h) == 0 && path[h.size()] == '/')
      return "~" + path.substr(h.size());
  }
  return path;
}

}  // namespace

KeyPair generateKeyPair() {
  detail::initSodium();
  KeyPair kp;
  crypto_sign_keypair(kp.publicKey.data(), kp.secretKey.data());
  return kp;
}

PublicKey publicKeyOf(const SecretKey& key) {
  PublicKey pub;
  std::memcpy(pub.data(), key.data() + 32, pub.size());
  return pub;
}

std::string keyId(const PublicKey& key) {
  detail::initSodium();
  uint8_t hash[32];
  crypto_generichash(hash, sizeof hash, key.data(), key.size(), nullptr, 0);
  return toHex(hash, 8);
}

std::string publicKeyPathFor(const std::string& secretKeyPath) {
  const std::string ext = ".key";
  if (secretKeyPath.size() > ext.size() &&
      secretKeyPath.compare(secretKeyPath.size() - ext.size(), ext.size(), ext) == 0)
    return secretKeyPath.substr(0, secretKeyPath.size() - ext.size()) + ".pub";
  return secretKeyPath + ".pub";
}

std::optional<SecretKey> readSecretKey(const std::string& path, std::string& err) {
  SecretKey key;
  if (!readKeyFile(path, /*secret=*/true, key, err)) return std::nullopt;
  // The second half must be the public key of the first (the seed), or signatures would not verify.
  detail::initSodium();
  PublicKey pub;
  SecretKey again;
  crypto_sign_seed_keypair(pub.data(), again.data(), key.data());
  bool same = sodium_memcmp(again.data(), key.data(), key.size()) == 0;
  sodium_memzero(again.data(), again.size());
  if (!same) {
    err = "'" + path + "': corrupt secret key: its public half does not match its seed";
    return std::nullopt;
  }
  return key;
}

std::optional<PublicKey> readPublicKey(const std::string& path, std::string& err) {
  PublicKey key;
  if (!readKeyFile(path, /*secret=*/false, key, err)) return std::nullopt;
  return key;
}

bool writeSecretKey(const std::string& path, const SecretKey& key, std::string& err) {
  return writeFileAtomically(path, keyFileText(kSecretHeader, publicKeyOf(key), key.data(), key.size()), 0600,
                             /*overwrite=*/false, err);
}

bool writePublicKey(const std::string& path, const PublicKey& key, std::string& err) {
  return writeFileAtomically(path, keyFileText(kPublicHeader, key, key.data(), key.size()), 0644,
                             /*overwrite=*/false, err);
}

std::optional<KeyPair> writeKeyPair(const std::string& prefix, std::string& err) {
  std::string secretPath = prefix + ".key", publicPath = prefix + ".pub";
  struct stat st;
  if (::stat(publicPath.c_str(), &st) == 0) {
    err = "'" + publicPath + "' already exists; not overwriting a key file";
    return std::nullopt;
  }
  KeyPair kp = generateKeyPair();
  if (!writeSecretKey(secretPath, kp.secretKey, err)) return std::nullopt;
  if (!writePublicKey(publicPath, kp.publicKey, err)) return std::nullopt;
  return kp;
}

std::string devKeyPath() {
  if (const char* p = std::getenv("SPINE_DEV_KEY"); p && *p) return p;
  const char* home = std::getenv("HOME");
  if (!home || !*home) {
    const passwd* pw = ::getpwuid(::getuid());
    home = pw ? pw->pw_dir : nullptr;
  }
  if (!home || !*home) return "";
  return std::string(home) + "/.spine/dev.key";
}

std::optional<SecretKey> loadOrCreateDevKey(std::string& note, std::string& err) {
  note.clear();
  std::string path = devKeyPath();
  if (path.empty()) {
    err = "no home directory for the development key; set SPINE_DEV_KEY to a key file path";
    return std::nullopt;
  }
  std::string publicPath = publicKeyPathFor(path);
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    if (!makeParentDir(path, err)) return std::nullopt;
    KeyPair kp = generateKeyPair();
    std::string createErr;
    if (writeSecretKey(path, kp.secretKey, createErr)) {
      // A .pub left from an older development key is useless now: replace it.
      if (!writeFileAtomically(publicPath,
                               keyFileText(kPublicHeader, kp.publicKey, kp.publicKey.data(), kp.publicKey.size()),
                               0644, /*overwrite=*/true, err))
        return std::nullopt;
      note = "created development key " + displayPath(path) + " (id " + keyId(kp.publicKey) +
             "); images signed with it load only where its public key " + displayPath(publicPath) +
             " is trusted";
      return kp.secretKey;
    }
    if (::stat(path.c_str(), &st) != 0) {  // not lost to a concurrent creator: a real failure
      err = createErr;
      return std::nullopt;
    }
  }
  std::optional<SecretKey> key = readSecretKey(path, err);
  if (key && ::stat(publicPath.c_str(), &st) != 0) {
    std::string ignored;  // the .pub is a convenience; signing works without it
    writePublicKey(publicPath, publicKeyOf(*key), ignored);
  }
  return key;
}

}  // namespace spine::image
