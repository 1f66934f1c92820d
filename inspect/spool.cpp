#include "inspect/spool.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace redkeep::inspect {

namespace {

// A record: u32 length of what follows, then i64 ts, u8 flags (1: has ts, 2: ts had an offset,
// 4: kind redis), the strings node, level, instance, event, text, a u32 count of fields and
// their names and values; a string is a u32 length and its bytes. Host byte order: the file
// never leaves this process.

void put_u32(std::string& out, std::uint32_t v) { out.append(reinterpret_cast<char*>(&v), 4); }

void put(std::string& out, const std::string& s) {
  put_u32(out, static_cast<std::uint32_t>(s.size()));
  out += s;
}

struct Reader {
  const std::string& in;
  std::size_t pos = 0;
  std::uint32_t u32() {
    std::uint32_t v = 0;
    std::memcpy(&v, in.data() + pos, 4);
    pos += 4;
    return v;
  }
  std::string str() {
    const auto n = u32();
    std::string s = in.substr(pos, n);
    pos += n;
    return s;
  }
};

}  // namespace

Spool::Spool() {
  // In $TMPDIR (else /tmp), as the shell's tools do; tmpfile() would ignore it.
  const char* env = std::getenv("TMPDIR");
  const std::string dir = env != nullptr && *env != '\0' ? env : "/tmp";
  int fd = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL)) {
    // A file system without O_TMPFILE: a named file, unlinked at once.
    std::string path = dir + "/redkeep-inspect-XXXXXX";
    fd = ::mkostemp(path.data(), O_CLOEXEC);
    if (fd >= 0) ::unlink(path.c_str());
  }
  if (fd >= 0) file_.reset(::fdopen(fd, "w+b"));
  if (!file_) {
    const int error = errno;
    if (fd >= 0) ::close(fd);
    throw std::runtime_error("cannot open a temporary file in " + dir +
                             " (TMPDIR): " + std::strerror(error));
  }
}

void Spool::write(const LogLine& line) {
  buf_.clear();
  put_u32(buf_, 0);  // the length, set below
  const std::int64_t ts = line.ts.value_or(0);
  buf_.append(reinterpret_cast<const char*>(&ts), 8);
  buf_.push_back(static_cast<char>((line.ts ? 1 : 0) | (line.ts_has_offset ? 2 : 0)));
  for (const auto* s : {&line.node, &line.level, &line.instance, &line.event, &line.text})
    put(buf_, *s);
  put_u32(buf_, static_cast<std::uint32_t>(line.fields.size()));
  for (const auto& [name, value] : line.fields) {
    put(buf_, name);
    put(buf_, value);
  }
  const auto length = static_cast<std::uint32_t>(buf_.size() - 4);
  std::memcpy(buf_.data(), &length, 4);
  if (std::fwrite(buf_.data(), 1, buf_.size(), file_.get()) != buf_.size())
    throw std::runtime_error(std::string("cannot write a temporary file: ") + std::strerror(errno));
}

std::optional<LogLine> Spool::read() {
  if (!reading_) {
    reading_ = true;
    if (std::fflush(file_.get()) != 0)  // the last lines: a full disk shows here
      throw std::runtime_error(std::string("cannot write a temporary file: ") +
                               std::strerror(errno));
    std::rewind(file_.get());
  }
  std::uint32_t length = 0;
  const auto got = std::fread(&length, 1, 4, file_.get());
  if (got == 0 && std::feof(file_.get())) return std::nullopt;
  buf_.resize(length);
  if (got != 4 || std::fread(buf_.data(), 1, length, file_.get()) != length)
    throw std::runtime_error("cannot read a temporary file back: it is shorter than written");
  LogLine line;
  line.kind = LineKind::event;
  std::int64_t ts = 0;
  std::memcpy(&ts, buf_.data(), 8);
  const auto flags = static_cast<unsigned char>(buf_[8]);
  if ((flags & 1) != 0) line.ts = ts;
  line.ts_has_offset = (flags & 2) != 0;
  Reader r{buf_, 9};
  for (auto* s : {&line.node, &line.level, &line.instance, &line.event, &line.text}) *s = r.str();
  for (auto n = r.u32(); n > 0; --n) {
    auto name = r.str();
    line.fields.emplace(std::move(name), r.str());
  }
  return line;
}

bool Spools::keep(const LogLine& line, std::size_t input) {
  const auto key = std::make_pair(line.node, input);
  auto it = streams_.find(key);
  if (it == streams_.end()) {
    if (streams_.size() >= kMaxNodes) return false;
    it = streams_.emplace(key, std::make_unique<Spool>()).first;
  }
  it->second->write(line);
  return true;
}

std::vector<Spool*> Spools::all() {
  std::vector<Spool*> all;
  for (auto& [key, spool] : streams_) all.push_back(spool.get());
  return all;
}

}  // namespace redkeep::inspect
