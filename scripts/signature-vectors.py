#!/usr/bin/env python3
"""Writes test/signatures/vectors.json: webhook signature vectors from an implementation independent
of core/signatures (Python's hmac/hashlib/base64), so the TypeScript tests are not checking the
library against itself.

Each vector gives the raw body (base64, plus the text when it is UTF-8), the secrets the receiver
holds, the clock, the headers as they arrive and the expected verification outcome. Vectors with a
"sign" entry are ones our `sign` must reproduce byte for byte from that secret/timestamp/id.
The secrets are test fixtures derived from fixed labels; none is used anywhere real.

Usage: python3 scripts/signature-vectors.py   (rewrites the JSON; the output is deterministic)
"""

import base64
import hashlib
import hmac
import json
import os

NOW = 1_760_000_000
TOLERANCE = 300
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'signatures', 'vectors.json')


def fixture_bytes(label, length):
    return hashlib.sha256(('barnum signature fixture: ' + label).encode('utf-8')).digest()[:length]


# Standard Webhooks secrets: whsec_ + base64 of random-looking bytes.
WHSEC_A = 'whsec_' + base64.b64encode(fixture_bytes('standard A', 24)).decode('ascii')
WHSEC_B = 'whsec_' + base64.b64encode(fixture_bytes('standard B', 32)).decode('ascii')
WHSEC_WRONG = 'whsec_' + base64.b64encode(fixture_bytes('standard wrong', 24)).decode('ascii')
# Secrets used as their UTF-8 bytes; one has non-ASCII characters on purpose.
PLAIN_A = 'fixture-' + fixture_bytes('plain A', 12).hex()
PLAIN_B = 'segredo-de-teste-ção-' + fixture_bytes('plain B', 8).hex()
PLAIN_WRONG = 'fixture-' + fixture_bytes('plain wrong', 12).hex()


def mac(algorithm, key, message):
    return hmac.new(key, message, getattr(hashlib, algorithm)).digest()


def whsec_key(secret):
    encoded = secret[len('whsec_'):] if secret.startswith('whsec_') else secret
    return base64.b64decode(encoded, validate=True)


def b64(data):
    return base64.b64encode(data).decode('ascii')


BODIES = {
    'ascii': b'{"event":"appointment.confirmed","id":"evt_0001","clinic":"Rua Augusta"}',
    'non-ascii': '{"patient":"João Conceição 😀","note":"Olá, até já — café às 9h"}'.encode('utf-8'),
    # Integer-like keys, 1.0, a \\u escape and spaces: JSON.stringify(JSON.parse(body)) reorders the
    # keys ("2" before "10" before "zeta"), writes 1 and é, and drops the whitespace, so only a
    # verifier that uses the raw bytes accepts it.
    'reordered-keys-and-whitespace': b'{\n  "zeta": 1.0,\n  "10": "dez",\n  "2": "\\u00e9",\n  "alpha" : [1, 2]\n}\n',
    'empty': b'',
    # Not UTF-8 at all (latin-1 "Jo\xe3o" plus control bytes): it only round-trips as bytes.
    'binary': b'Jo\xe3o\x00\xff\xfe\x80\r\n',
}

# Bodies whose JSON re-serialisation differs from the bytes, checked by the test.
REORDERED = 'reordered-keys-and-whitespace'

vectors = []


def body_entry(body):
    try:
        text = body.decode('utf-8')
    except UnicodeDecodeError:
        text = None
    return {'base64': b64(body), 'text': text}


def add(name, scheme, body, secrets, headers, expect, options=None, sign=None, now=NOW, tolerance=None):
    vector = {
        'name': name,
        'scheme': scheme,
        'options': options or {},
        'body': body_entry(body),
        'secrets': secrets,
        'now': now,
        'headers': headers,
        'expect': expect,
    }
    if tolerance is not None:
        vector['toleranceSeconds'] = tolerance
    if sign is not None:
        vector['sign'] = sign
    vectors.append(vector)


def ok(secret_index, **extra):
    return dict({'ok': True, 'secretIndex': secret_index}, **extra)


def rejected(reason):
    return {'ok': False, 'reason': reason}


# --- Standard Webhooks -------------------------------------------------------------------------

def standard_sig(secret, msg_id, timestamp, body, raw=False):
    key = secret.encode('utf-8') if raw else whsec_key(secret)
    return 'v1,' + b64(mac('sha256', key, ('%s.%s.' % (msg_id, timestamp)).encode('utf-8') + body))


def standard_headers(msg_id, timestamp, signature):
    return {'webhook-id': msg_id, 'webhook-timestamp': str(timestamp), 'webhook-signature': signature}


for label, body in BODIES.items():
    msg_id = 'msg_' + label.replace('-', '_')
    add('standard-webhooks: ' + label, 'standard-webhooks', body, [WHSEC_A],
        standard_headers(msg_id, NOW, standard_sig(WHSEC_A, msg_id, NOW, body)),
        ok(0, scheme='standard-webhooks', deliveryId=msg_id, timestamp=NOW),
        sign={'secret': WHSEC_A, 'timestamp': NOW, 'id': msg_id})

body = BODIES['non-ascii']
add('standard-webhooks: rotation, signed with the second secret', 'standard-webhooks', body, [WHSEC_A, WHSEC_B],
    standard_headers('msg_rotation', NOW, standard_sig(WHSEC_B, 'msg_rotation', NOW, body)),
    ok(1, scheme='standard-webhooks', deliveryId='msg_rotation', timestamp=NOW),
    sign={'secret': WHSEC_B, 'timestamp': NOW, 'id': 'msg_rotation'})
add('standard-webhooks: wrong secret', 'standard-webhooks', body, [WHSEC_A, WHSEC_B],
    standard_headers('msg_wrong', NOW, standard_sig(WHSEC_WRONG, 'msg_wrong', NOW, body)),
    rejected('signature_mismatch'))
add('standard-webhooks: signature of another body', 'standard-webhooks', body, [WHSEC_A],
    standard_headers('msg_other', NOW, standard_sig(WHSEC_A, 'msg_other', NOW, BODIES['ascii'])),
    rejected('signature_mismatch'))
add('standard-webhooks: signature for another id', 'standard-webhooks', body, [WHSEC_A],
    standard_headers('msg_2', NOW, standard_sig(WHSEC_A, 'msg_1', NOW, body)),
    rejected('signature_mismatch'))
add('standard-webhooks: bare base64 secret without whsec_ prefix', 'standard-webhooks', body, [WHSEC_A[len('whsec_'):]],
    standard_headers('msg_bare', NOW, standard_sig(WHSEC_A, 'msg_bare', NOW, body)),
    ok(0, scheme='standard-webhooks', deliveryId='msg_bare', timestamp=NOW),
    sign={'secret': WHSEC_A[len('whsec_'):], 'timestamp': NOW, 'id': 'msg_bare'})
add('standard-webhooks: raw secret with secretFormat raw', 'standard-webhooks', body, [PLAIN_B],
    standard_headers('msg_raw', NOW, standard_sig(PLAIN_B, 'msg_raw', NOW, body, raw=True)),
    ok(0, scheme='standard-webhooks', deliveryId='msg_raw', timestamp=NOW),
    options={'secretFormat': 'raw'}, sign={'secret': PLAIN_B, 'timestamp': NOW, 'id': 'msg_raw'})
good = standard_sig(WHSEC_A, 'msg_multi', NOW, body)
wrong = standard_sig(WHSEC_WRONG, 'msg_multi', NOW, body)
add('standard-webhooks: several entries, unknown versions skipped', 'standard-webhooks', body, [WHSEC_A],
    standard_headers('msg_multi', NOW, ' '.join(['v1a,' + good[3:], wrong, 'v2,' + good[3:], good])),
    ok(0, scheme='standard-webhooks', deliveryId='msg_multi', timestamp=NOW))
add('standard-webhooks: correct digest under v1a only', 'standard-webhooks', body, [WHSEC_A],
    standard_headers('msg_v1a', NOW, 'v1a,' + standard_sig(WHSEC_A, 'msg_v1a', NOW, body)[3:]),
    rejected('malformed_header'))
add('standard-webhooks: header names in mixed case', 'standard-webhooks', body, [WHSEC_A],
    {'Webhook-Id': 'msg_case', 'WEBHOOK-TIMESTAMP': str(NOW),
     'Webhook-Signature': standard_sig(WHSEC_A, 'msg_case', NOW, body)},
    ok(0, scheme='standard-webhooks', deliveryId='msg_case', timestamp=NOW))

# The example published with the Standard Webhooks/Svix documentation, checked against its
# published signature so this script's own reading of the spec is anchored too.
SPEC_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'
SPEC_BODY = b'{"test": 2432232314}'
SPEC_ID, SPEC_TS = 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330
assert standard_sig(SPEC_SECRET, SPEC_ID, SPEC_TS, SPEC_BODY) == 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE='
add('standard-webhooks: published example', 'standard-webhooks', SPEC_BODY, [SPEC_SECRET],
    standard_headers(SPEC_ID, SPEC_TS, 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE='),
    ok(0, scheme='standard-webhooks', deliveryId=SPEC_ID, timestamp=SPEC_TS),
    sign={'secret': SPEC_SECRET, 'timestamp': SPEC_TS, 'id': SPEC_ID}, now=SPEC_TS)

# --- Barnum legacy, Meta, GitHub, Cal.com (hex HMAC-SHA256 of the body) -------------------------

def hex_sig(secret, body, algorithm='sha256'):
    return mac(algorithm, secret.encode('utf-8'), body).hex()


BODY_SCHEMES = {
    'barnum-legacy': ('X-Webhook-Signature', ''),
    'meta': ('X-Hub-Signature-256', 'sha256='),
    'github': ('X-Hub-Signature-256', 'sha256='),
    # Cal.com: createHmac('sha256', secret).update(body).digest('hex') in
    # packages/features/webhooks/lib/sendPayload.ts.
    'calcom': ('X-Cal-Signature-256', ''),
}

for scheme, (header, prefix) in BODY_SCHEMES.items():
    for label, body in BODIES.items():
        headers = {header: prefix + hex_sig(PLAIN_A, body)}
        expect = ok(0, scheme=scheme)
        sign = {'secret': PLAIN_A}
        if scheme == 'github':
            delivery = '72d3162e-cc78-11e3-81ab-4c9367dc0958'
            headers['X-GitHub-Delivery'] = delivery
            expect['deliveryId'] = delivery
            sign['id'] = delivery
        add('%s: %s' % (scheme, label), scheme, body, [PLAIN_A], headers, expect, sign=sign)
    body = BODIES['non-ascii']
    add('%s: rotation, signed with the second secret' % scheme, scheme, body, [PLAIN_A, PLAIN_B],
        {header.lower(): prefix + hex_sig(PLAIN_B, body)}, ok(1, scheme=scheme), sign={'secret': PLAIN_B})
    add('%s: wrong secret' % scheme, scheme, body, [PLAIN_A, PLAIN_B],
        {header: prefix + hex_sig(PLAIN_WRONG, body)}, rejected('signature_mismatch'))
    add('%s: signature of another body' % scheme, scheme, body, [PLAIN_A],
        {header: prefix + hex_sig(PLAIN_A, BODIES['ascii'])}, rejected('signature_mismatch'))
    add('%s: uppercase hex' % scheme, scheme, body, [PLAIN_A],
        {header: prefix + hex_sig(PLAIN_A, body).upper()}, rejected('malformed_header'))
    add('%s: sha1 digest length' % scheme, scheme, body, [PLAIN_A],
        {header: prefix + hex_sig(PLAIN_A, body, 'sha1')}, rejected('malformed_header'))
    if prefix:
        add('%s: missing sha256= prefix' % scheme, scheme, body, [PLAIN_A],
            {header: hex_sig(PLAIN_A, body)}, rejected('malformed_header'))

# Cal.com's documented example (docs/developing/guides/automation/webhooks.mdx), as Cal.com sends it:
# JSON.stringify({triggerEvent, createdAt, payload}), no whitespace.
CALCOM_BODY = ('{"triggerEvent":"BOOKING_CREATED","createdAt":"2023-05-24T09:30:00.538Z","payload":{"type":"60min",'
               '"title":"60min between Pro Example and John Doe","startTime":"2023-05-25T09:30:00Z",'
               '"endTime":"2023-05-25T10:30:00Z","organizer":{"id":5,"name":"Pro Example","email":"pro@example.com",'
               '"timeZone":"Asia/Kolkata","language":{"locale":"en"}},"attendees":[{"email":"john.doe@example.com",'
               '"name":"John Doe","timeZone":"Asia/Kolkata","language":{"locale":"en"}}],"uid":"bFJeNb2uX8ANpT3JL5EfXw",'
               '"eventTypeId":7,"length":60,"bookingId":91,"metadata":{},"status":"ACCEPTED"}}').encode('utf-8')
add('calcom: documented BOOKING_CREATED payload', 'calcom', CALCOM_BODY, [PLAIN_A],
    {'X-Cal-Signature-256': hex_sig(PLAIN_A, CALCOM_BODY)}, ok(0, scheme='calcom'), sign={'secret': PLAIN_A})
add('calcom: no secret configured in Cal.com', 'calcom', CALCOM_BODY, [PLAIN_A],
    {'X-Cal-Signature-256': 'no-secret-provided'}, rejected('malformed_header'))

# --- Stripe ---------------------------------------------------------------------------------------

def stripe_v1(secret, timestamp, body):
    return hex_sig(secret, ('%s.' % timestamp).encode('utf-8') + body)


for label, body in BODIES.items():
    add('stripe: ' + label, 'stripe', body, [PLAIN_A],
        {'Stripe-Signature': 't=%d,v1=%s' % (NOW, stripe_v1(PLAIN_A, NOW, body))},
        ok(0, scheme='stripe', timestamp=NOW), sign={'secret': PLAIN_A, 'timestamp': NOW})

body = BODIES['non-ascii']
add('stripe: rotation, signed with the second secret', 'stripe', body, [PLAIN_A, PLAIN_B],
    {'stripe-signature': 't=%d,v1=%s' % (NOW, stripe_v1(PLAIN_B, NOW, body))},
    ok(1, scheme='stripe', timestamp=NOW), sign={'secret': PLAIN_B, 'timestamp': NOW})
add('stripe: several v1 entries and a v0', 'stripe', body, [PLAIN_A],
    {'Stripe-Signature': 't=%d,v1=%s,v1=%s,v0=%s' % (
        NOW, stripe_v1(PLAIN_WRONG, NOW, body), stripe_v1(PLAIN_A, NOW, body), '0' * 64)},
    ok(0, scheme='stripe', timestamp=NOW))
add('stripe: wrong secret', 'stripe', body, [PLAIN_A, PLAIN_B],
    {'Stripe-Signature': 't=%d,v1=%s' % (NOW, stripe_v1(PLAIN_WRONG, NOW, body))}, rejected('signature_mismatch'))
add('stripe: signature of another body', 'stripe', body, [PLAIN_A],
    {'Stripe-Signature': 't=%d,v1=%s' % (NOW, stripe_v1(PLAIN_A, NOW, BODIES['ascii']))}, rejected('signature_mismatch'))
add('stripe: signature for another timestamp', 'stripe', body, [PLAIN_A],
    {'Stripe-Signature': 't=%d,v1=%s' % (NOW, stripe_v1(PLAIN_A, NOW - 1, body))}, rejected('signature_mismatch'))
add('stripe: custom header name', 'stripe', body, [PLAIN_A],
    {'x-acme-signature': 't=%d,v1=%s' % (NOW, stripe_v1(PLAIN_A, NOW, body))},
    ok(0, scheme='stripe', timestamp=NOW), options={'signatureHeader': 'X-Acme-Signature'},
    sign={'secret': PLAIN_A, 'timestamp': NOW})

# Timestamps that loose parsers (Number, parseInt) accept. Each is correctly signed over its own
# text, so only strict parsing rejects it.
for text in ['Infinity', '1e9', '%dabc' % NOW, '-%d' % NOW, '%d.0' % NOW, ' %d' % NOW, '0%d' % NOW,
             '0x68e5cf00', '1' * 13, '']:
    header = 't=%s,v1=%s' % (text, stripe_v1(PLAIN_A, text, body))
    reason = 'malformed_header' if text == '' else 'malformed_timestamp'
    add('stripe: rejects t=%r' % text, 'stripe', body, [PLAIN_A], {'Stripe-Signature': header}, rejected(reason))
good = stripe_v1(PLAIN_A, NOW, body)
for label, header in [
    ('repeated t', 't=%d,t=%d,v1=%s' % (NOW, NOW, good)),
    ('empty v1', 't=%d,v1=,v1=%s' % (NOW, good)),
    ('no v1', 't=%d' % NOW),
    ('no t', 'v1=%s' % good),
    ('space after comma', 't=%d, v1=%s' % (NOW, good)),
    ('empty element', 't=%d,,v1=%s' % (NOW, good)),
    ('element without =', 't=%d,v1%s' % (NOW, good)),
    ('truncated v1', 't=%d,v1=%s' % (NOW, good[:-2])),
]:
    add('stripe: rejects %s' % label, 'stripe', body, [PLAIN_A], {'Stripe-Signature': header}, rejected('malformed_header'))

# --- Custom ---------------------------------------------------------------------------------------

CUSTOM_HEX = {'signatureHeader': 'X-Signature', 'algorithm': 'sha256', 'encoding': 'hex'}
CUSTOM_FULL = {
    'signatureHeader': 'X-Shop-Hmac', 'algorithm': 'sha512', 'encoding': 'base64', 'prefix': 'sha512=',
    'timestampHeader': 'X-Shop-Timestamp', 'deliveryIdHeader': 'X-Shop-Delivery',
}
CUSTOM_B64 = {'signatureHeader': 'X-Hmac-Sha256', 'algorithm': 'sha256', 'encoding': 'base64'}


def custom_headers(options, secret, body, timestamp=None, delivery=None, signed_timestamp=None):
    content = body
    if 'timestampHeader' in options:
        content = ('%s.' % (timestamp if signed_timestamp is None else signed_timestamp)).encode('utf-8') + body
    digest = mac(options['algorithm'], secret.encode('utf-8'), content)
    encoded = digest.hex() if options['encoding'] == 'hex' else b64(digest)
    headers = {options['signatureHeader']: options.get('prefix', '') + encoded}
    if 'timestampHeader' in options:
        headers[options['timestampHeader']] = str(timestamp)
    if delivery is not None:
        headers[options['deliveryIdHeader']] = delivery
    return headers


for label, body in BODIES.items():
    add('custom sha256/hex: ' + label, 'custom', body, [PLAIN_A], custom_headers(CUSTOM_HEX, PLAIN_A, body),
        ok(0, scheme='custom'), options=CUSTOM_HEX, sign={'secret': PLAIN_A})
    add('custom sha512/base64/prefix/timestamp/delivery: ' + label, 'custom', body, [PLAIN_A],
        custom_headers(CUSTOM_FULL, PLAIN_A, body, NOW, 'dlv_' + label),
        ok(0, scheme='custom', timestamp=NOW, deliveryId='dlv_' + label), options=CUSTOM_FULL,
        sign={'secret': PLAIN_A, 'timestamp': NOW, 'id': 'dlv_' + label})
    add('custom sha256/base64: ' + label, 'custom', body, [PLAIN_A], custom_headers(CUSTOM_B64, PLAIN_A, body),
        ok(0, scheme='custom'), options=CUSTOM_B64, sign={'secret': PLAIN_A})

body = BODIES['non-ascii']
for options in (CUSTOM_HEX, CUSTOM_FULL):
    kind = '%s/%s' % (options['algorithm'], options['encoding'])
    add('custom %s: rotation, signed with the second secret' % kind, 'custom', body, [PLAIN_A, PLAIN_B],
        custom_headers(options, PLAIN_B, body, NOW), ok(1, scheme='custom', **({'timestamp': NOW} if 'timestampHeader' in options else {})),
        options=options, sign={'secret': PLAIN_B, 'timestamp': NOW} if 'timestampHeader' in options else {'secret': PLAIN_B})
    add('custom %s: wrong secret' % kind, 'custom', body, [PLAIN_A, PLAIN_B],
        custom_headers(options, PLAIN_WRONG, body, NOW), rejected('signature_mismatch'), options=options)
    add('custom %s: signature of another body' % kind, 'custom', body, [PLAIN_A],
        custom_headers(options, PLAIN_A, BODIES['ascii'], NOW), rejected('signature_mismatch'), options=options)
add('custom: signature for another timestamp', 'custom', body, [PLAIN_A],
    custom_headers(CUSTOM_FULL, PLAIN_A, body, NOW, signed_timestamp=NOW - 1), rejected('signature_mismatch'),
    options=CUSTOM_FULL)
add('custom: timestamp header missing', 'custom', body, [PLAIN_A],
    {'X-Shop-Hmac': custom_headers(CUSTOM_FULL, PLAIN_A, body, NOW)['X-Shop-Hmac']}, rejected('missing_header'),
    options=CUSTOM_FULL)
add('custom: prefix missing', 'custom', body, [PLAIN_A],
    {'X-Shop-Hmac': custom_headers(CUSTOM_FULL, PLAIN_A, body, NOW)['X-Shop-Hmac'][len('sha512='):],
     'X-Shop-Timestamp': str(NOW)}, rejected('malformed_header'), options=CUSTOM_FULL)
add('custom: sha256 digest where sha512 is configured', 'custom', body, [PLAIN_A],
    {'X-Shop-Hmac': 'sha512=' + b64(mac('sha256', PLAIN_A.encode('utf-8'), ('%d.' % NOW).encode() + body)),
     'X-Shop-Timestamp': str(NOW)}, rejected('malformed_header'), options=CUSTOM_FULL)
add('custom: base64 without padding', 'custom', body, [PLAIN_A],
    {'X-Hmac-Sha256': custom_headers(CUSTOM_B64, PLAIN_A, body)['X-Hmac-Sha256'].rstrip('=')},
    rejected('malformed_header'), options=CUSTOM_B64)
# base64url spelling of a digest whose base64 contains + or /, so the two spellings differ.
url_body = next(b for b in BODIES.values() if set('+/') & set(custom_headers(CUSTOM_B64, PLAIN_A, b)['X-Hmac-Sha256']))
add('custom: base64url instead of base64', 'custom', url_body, [PLAIN_A],
    {'X-Hmac-Sha256': custom_headers(CUSTOM_B64, PLAIN_A, url_body)['X-Hmac-Sha256'].replace('+', '-').replace('/', '_')},
    rejected('malformed_header'), options=CUSTOM_B64)

# --- Tolerance edges, both directions -------------------------------------------------------------

body = BODIES['non-ascii']
TIMED = {
    'standard-webhooks': lambda ts: standard_headers('msg_edge', ts, standard_sig(WHSEC_A, 'msg_edge', ts, body)),
    'stripe': lambda ts: {'Stripe-Signature': 't=%d,v1=%s' % (ts, stripe_v1(PLAIN_A, ts, body))},
    'custom': lambda ts: custom_headers(CUSTOM_FULL, PLAIN_A, body, ts),
}
TIMED_SECRET = {'standard-webhooks': WHSEC_A, 'stripe': PLAIN_A, 'custom': PLAIN_A}
TIMED_OPTIONS = {'standard-webhooks': {}, 'stripe': {}, 'custom': CUSTOM_FULL}

for scheme, make in TIMED.items():
    for tolerance in (None, 10):
        window = TOLERANCE if tolerance is None else tolerance
        for offset, expect_ok, reason in [
            (-window, True, None), (-(window + 1), False, 'timestamp_too_old'),
            (window, True, None), (window + 1, False, 'timestamp_in_future'),
        ]:
            ts = NOW + offset
            if expect_ok:
                expect = ok(0, scheme=scheme, timestamp=ts)
                if scheme == 'standard-webhooks':
                    expect['deliveryId'] = 'msg_edge'
                sign = {'secret': TIMED_SECRET[scheme], 'timestamp': ts}
                if scheme == 'standard-webhooks':
                    sign['id'] = 'msg_edge'
            else:
                expect, sign = rejected(reason), None
            add('%s: tolerance %d, timestamp %+d s' % (scheme, window, offset), scheme, body, [TIMED_SECRET[scheme]],
                make(ts), expect, options=TIMED_OPTIONS[scheme], sign=sign, tolerance=tolerance)


def main():
    names = [vector['name'] for vector in vectors]
    assert len(names) == len(set(names)), 'vector names must be unique'
    document = {
        'generator': 'scripts/signature-vectors.py',
        'now': NOW,
        'defaultToleranceSeconds': TOLERANCE,
        'reserializationDiffers': [vector['name'] for vector in vectors if vector['body']['base64'] == b64(BODIES[REORDERED])],
        'vectors': vectors,
    }
    with open(OUT, 'w', encoding='utf-8') as handle:
        json.dump(document, handle, ensure_ascii=False, indent='\t')
        handle.write('\n')
    print('wrote %d vectors to %s' % (len(vectors), os.path.relpath(OUT)))


if __name__ == '__main__':
    main()
