#!/bin/sh
# Regenerates the sandbox's sample answer media (each well under 100 KB) with ffmpeg.
# The files are committed; run this only to change them.
set -eu
cd "$(dirname "$0")"
SRC_V="testsrc2=size=320x240:rate=15:duration=4"
SRC_A="sine=frequency=440:sample_rate=48000:duration=4"
ffmpeg -y -loglevel error -f lavfi -i "$SRC_V" -f lavfi -i "$SRC_A" \
  -c:v libx264 -profile:v baseline -level 3.0 -pix_fmt yuv420p -b:v 120k \
  -c:a aac -b:a 32k -ac 1 -movflags +faststart -shortest sample.mp4
ffmpeg -y -loglevel error -f lavfi -i "$SRC_V" -f lavfi -i "$SRC_A" \
  -c:v libvpx-vp9 -b:v 120k -deadline realtime -cpu-used 8 -pix_fmt yuv420p \
  -c:a libopus -b:a 32k -ac 1 -shortest sample.webm
ffmpeg -y -loglevel error -f lavfi -i "$SRC_A" -c:a libmp3lame -b:a 48k -ac 1 sample.mp3
ffmpeg -y -loglevel error -f lavfi -i "$SRC_A" -c:a libopus -b:a 32k -ac 1 sample.ogg
ffmpeg -y -loglevel error -f lavfi -i "testsrc2=size=240x160:duration=1" -frames:v 1 idv_document.png
ffmpeg -y -loglevel error -f lavfi -i "color=c=0x5b7fa6:size=96x96:duration=1" -frames:v 1 avatar.png
python3 - <<'PY'
objs = [
    b"<< /Type /Catalog /Pages 2 0 R >>",
    b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
    b" /Resources << /Font << /F1 5 0 R >> >> >>",
    None,
    b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
]
text = b"BT /F1 18 Tf 72 770 Td (Sample CV - Willo sandbox) Tj ET"
objs[3] = b"<< /Length %d >>\nstream\n" % len(text) + text + b"\nendstream"
out = bytearray(b"%PDF-1.4\n")
offsets = []
for number, body in enumerate(objs, start=1):
    offsets.append(len(out))
    out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
xref = len(out)
out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
open("sample.pdf", "wb").write(out)
PY
