// Distances on the earth and the picture of Seoul the "map" draws.
export interface Point {
  lat: number
  lon: number
}

/** Great-circle distance in km (haversine), as the rider service computes it. */
export function distanceKm(a: Point, b: Point): number {
  const r = 6371.0088
  const rad = Math.PI / 180
  const dLat = (b.lat - a.lat) * rad
  const dLon = (b.lon - a.lon) * rad
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2
  return 2 * r * Math.asin(Math.min(1, Math.sqrt(h)))
}

export function roundKm(km: number): string {
  return km < 10 ? km.toFixed(1) : Math.round(km).toString()
}

/** Named places in Seoul to pick from. */
export interface Place extends Point {
  id: string
  ko: string
  en: string
  address: string // the delivery address an order to this place carries
}

export const PLACES: Place[] = [
  { id: 'teheran', ko: '테헤란로 152 (역삼)', en: 'Teheran-ro 152 (Yeoksam)', lat: 37.5006, lon: 127.0364, address: '서울 강남구 테헤란로 152' },
  { id: 'gangnam', ko: '강남역', en: 'Gangnam Station', lat: 37.4979, lon: 127.0276, address: '서울 강남구 강남대로 396' },
  { id: 'hongdae', ko: '홍대입구역', en: 'Hongik Univ. Station', lat: 37.5572, lon: 126.9245, address: '서울 마포구 양화로 160' },
  { id: 'gwanghwamun', ko: '광화문', en: 'Gwanghwamun', lat: 37.5716, lon: 126.9768, address: '서울 종로구 세종대로 172' },
  { id: 'myeongdong', ko: '명동', en: 'Myeongdong', lat: 37.5609, lon: 126.9862, address: '서울 중구 명동길 14' },
  { id: 'jamsil', ko: '잠실역', en: 'Jamsil Station', lat: 37.5133, lon: 127.1001, address: '서울 송파구 올림픽로 265' },
]

/** The frame of the map: central Seoul. */
export const SEOUL = { minLat: 37.45, maxLat: 37.62, minLon: 126.86, maxLon: 127.14 }

/** A rough line of the Han river across the frame, west to east. */
export const HAN_RIVER: Point[] = [
  { lat: 37.575, lon: 126.86 },
  { lat: 37.556, lon: 126.89 },
  { lat: 37.543, lon: 126.915 },
  { lat: 37.531, lon: 126.94 },
  { lat: 37.521, lon: 126.97 },
  { lat: 37.515, lon: 126.995 },
  { lat: 37.519, lon: 127.02 },
  { lat: 37.527, lon: 127.05 },
  { lat: 37.526, lon: 127.075 },
  { lat: 37.527, lon: 127.1 },
  { lat: 37.542, lon: 127.12 },
  { lat: 37.556, lon: 127.14 },
]

export function clampToSeoul(p: Point): Point {
  return {
    lat: Math.min(SEOUL.maxLat, Math.max(SEOUL.minLat, p.lat)),
    lon: Math.min(SEOUL.maxLon, Math.max(SEOUL.minLon, p.lon)),
  }
}

export function round5(n: number): number {
  return Math.round(n * 1e5) / 1e5
}
