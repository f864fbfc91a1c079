#pragma once
// net::Fd now lives in net/handles.h with every other owned C handle. This header stays only
// so existing includes keep compiling while the layer split moves files; include
// net/handles.h in new code.
#include "net/handles.h"
