// The customer's chosen location: where stores are measured from and where orders go.
import { reactive, watch } from 'vue'
import { PLACES, type Point } from './geo'

export interface ChosenLocation extends Point {
  placeId: string | null // one of PLACES, or null for a point chosen on the map or typed
  address: string
}

const STORAGE_KEY = 'fd.location'
const first = PLACES[0]

function load(): ChosenLocation {
  try {
    const raw = localStorage.getItem(STORAGE_KEY)
    if (raw) {
      const saved = JSON.parse(raw) as ChosenLocation
      if (Number.isFinite(saved.lat) && Number.isFinite(saved.lon)) return saved
    }
  } catch {
    /* ignore */
  }
  return { lat: first.lat, lon: first.lon, placeId: first.id, address: '서울 강남구 테헤란로 152' }
}

export const myLocation = reactive<ChosenLocation>(load())

watch(myLocation, (value) => {
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(value))
  } catch {
    /* ignore */
  }
})
