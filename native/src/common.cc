#include "common.h"

#include <cstdio>

namespace medlens {

dnnl::engine &cpuEngine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

dnnl::stream &cpuStream() {
  static dnnl::stream stream(cpuEngine());
  return stream;
}

namespace {
std::unordered_map<std::string, std::unique_ptr<CacheEntry>> &cache() {
  static std::unordered_map<std::string, std::unique_ptr<CacheEntry>> c;
  return c;
}
constexpr size_t kMaxCacheEntries = 4096;
}  // namespace

CacheEntry *cacheGet(const std::string &key) {
  auto it = cache().find(key);
  return it == cache().end() ? nullptr : it->second.get();
}

CacheEntry *cachePut(const std::string &key, std::unique_ptr<CacheEntry> entry) {
  if (cache().size() >= kMaxCacheEntries) cache().clear();
  CacheEntry *raw = entry.get();
  cache()[key] = std::move(entry);
  return raw;
}

size_t cacheSize() { return cache().size(); }

std::string makeKey(const char *kind, const int *p, int n) {
  std::string key(kind);
  char buf[16];
  for (int i = 0; i < n; i++) {
    std::snprintf(buf, sizeof buf, ",%d", p[i]);
    key += buf;
  }
  return key;
}

bool appendActivation(dnnl::post_ops &po, int act, float alpha) {
  using a = dnnl::algorithm;
  switch (act) {
    case ACT_LINEAR: return true;
    case ACT_RELU: po.append_eltwise(1.f, a::eltwise_relu, 0.f, 0.f); return true;
    case ACT_RELU6: po.append_eltwise(1.f, a::eltwise_clip, 0.f, 6.f); return true;
    case ACT_ELU: po.append_eltwise(1.f, a::eltwise_elu, 1.f, 0.f); return true;
    case ACT_LEAKYRELU: po.append_eltwise(1.f, a::eltwise_relu, alpha, 0.f); return true;
    case ACT_SIGMOID: po.append_eltwise(1.f, a::eltwise_logistic, 0.f, 0.f); return true;
    default: return false;
  }
}

Staged stageOutput(const dnnl::memory::desc &userMd, const dnnl::memory::desc &wantMd, void *ptr,
                   std::unique_ptr<dnnl::memory> &scratch) {
  Staged s;
  s.user = dnnl::memory(userMd, cpuEngine(), ptr);
  if (userMd == wantMd) {
    s.used = s.user;
    return s;
  }
  if (!scratch) scratch.reset(new dnnl::memory(wantMd, cpuEngine()));
  s.used = *scratch;
  s.reordered = true;
  return s;
}

// An input stages like an output, except that the data goes into the scratch buffer up front.
Staged stageInput(const dnnl::memory::desc &userMd, const dnnl::memory::desc &wantMd, void *ptr,
                  std::unique_ptr<dnnl::memory> &scratch) {
  Staged s = stageOutput(userMd, wantMd, ptr, scratch);
  if (s.reordered) dnnl::reorder(s.user, s.used).execute(cpuStream(), s.user, s.used);
  return s;
}

void finishOutput(Staged &s) {
  if (s.reordered) dnnl::reorder(s.used, s.user).execute(cpuStream(), s.used, s.user);
}

}  // namespace medlens
