import { ipv6Groups, isBlockedAddress } from './private-addresses';

describe('isBlockedAddress', () => {
  it.each([
    '127.0.0.1',
    '127.255.255.254',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '198.18.0.1',
  ])('blocks IPv4 %s', (address) => {
    expect(isBlockedAddress(address)).toBe(true);
  });

  it.each(['8.8.8.8', '1.1.1.1', '172.32.0.1', '172.15.255.255', '192.169.0.1', '100.128.0.1', '169.255.0.1', '11.0.0.1'])(
    'allows public IPv4 %s',
    (address) => {
      expect(isBlockedAddress(address)).toBe(false);
    },
  );

  it.each([
    '::1',
    '[::1]',
    '::',
    '0:0:0:0:0:0:0:1',
    'fe80::1',
    'fe80::1%eth0',
    'fc00::1',
    'fd00:ec2::254',
    'fd12:3456:789a::1',
    'ff02::1',
    '2001:db8::1',
    '64:ff9b:1::a00:1',
  ])('blocks IPv6 %s', (address) => {
    expect(isBlockedAddress(address)).toBe(true);
  });

  it.each(['2606:4700:4700::1111', '2001:4860:4860::8888', '2a00:1450:4001:80b::200e'])('allows public IPv6 %s', (address) => {
    expect(isBlockedAddress(address)).toBe(false);
  });

  it.each([
    ['::ffff:127.0.0.1', true],
    ['::ffff:7f00:1', true],
    ['[::ffff:169.254.169.254]', true],
    ['::ffff:a9fe:a9fe', true],
    ['::FFFF:10.0.0.1', true],
    ['0:0:0:0:0:ffff:c0a8:101', true],
    ['::127.0.0.1', true],
    ['64:ff9b::7f00:1', true],
    ['64:ff9b::10.0.0.1', true],
    ['2002:7f00:1::1', true],
    ['2002:a9fe:a9fe::', true],
    ['::ffff:8.8.8.8', false],
    ['::ffff:808:808', false],
    ['64:ff9b::8.8.8.8', false],
    ['2002:808:808::1', false],
  ])('judges %s, which carries an IPv4 address, by that address (blocked: %s)', (address, expected) => {
    expect(isBlockedAddress(address)).toBe(expected);
  });

  it.each(['', 'localhost', 'example.com', '1.2.3', '1.2.3.256', '::g', '1::2::3', '1:2:3:4:5:6:7:8:9', '::ffff:1.2.3.999'])(
    'counts %p, which is no address, as blocked',
    (address) => {
      expect(isBlockedAddress(address)).toBe(true);
    },
  );
});

describe('ipv6Groups', () => {
  it('expands :: and reads a dotted IPv4 tail', () => {
    expect(ipv6Groups('::1')).toEqual([0, 0, 0, 0, 0, 0, 0, 1]);
    expect(ipv6Groups('fe80::1:2')).toEqual([0xfe80, 0, 0, 0, 0, 0, 1, 2]);
    expect(ipv6Groups('::ffff:127.0.0.1')).toEqual([0, 0, 0, 0, 0, 0xffff, 0x7f00, 1]);
    expect(ipv6Groups('1:2:3:4:5:6:7:8')).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(ipv6Groups('1:2:3:4:5:6:7')).toBeNull();
    expect(ipv6Groups('1:2:3:4::5:6:7:8')).toBeNull();
  });
});
