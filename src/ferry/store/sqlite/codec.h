#pragma once

#include "ferry/store/row_codec.h"

namespace ferry::store::sqlite {

// SqliteStore's names for the row codec both backends share (ferry/store/row_codec.h).
using store::dump_json;
using store::from_millis;
using store::parse_json;
using store::to_millis;
using store::truncate_millis;

}  // namespace ferry::store::sqlite
